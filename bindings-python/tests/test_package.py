"""The package as shipped: generated classes up to date, stubs present, examples run, and
every public call exercised by this suite."""

from __future__ import annotations

import inspect as pyinspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import intune_apple
from intune_apple import AsyncClient, Client, files, rules
from intune_apple.testing import Simulator

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
EXAMPLES = PACKAGE.parent / "examples" / "python"


def test_generated_model_classes_are_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(PACKAGE / "tools" / "gen_models.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_typed_package() -> None:
    root = Path(intune_apple.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "_native.pyi").exists() and (root / "models.pyi").exists()


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_examples_run_on_the_simulator(example: str) -> None:
    env = {k: v for k, v in __import__("os").environ.items()
           if not k.startswith(("AZURE_", "INTUNE_APPLE_"))}
    result = subprocess.run([sys.executable, str(EXAMPLES / example)], capture_output=True, text=True,
                            env=env, timeout=120)
    # The health report exits 2 on the demo tenant: it holds an expired VPP token.
    assert result.returncode == (2 if example == "health_report.py" else 0), result.stderr
    assert result.stdout.strip()


def _public(cls: type) -> list[str]:
    return [n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))]


def test_every_public_call_is_exercised_by_the_suite() -> None:
    sources = "\n".join(p.read_text() for p in HERE.glob("test_*.py") if p.name != "test_package.py")
    names = set(_public(Client)) | set(_public(AsyncClient)) | set(_public(Simulator))
    names |= {n for n in rules.__all__ if pyinspect.isfunction(getattr(rules, n))}
    names |= {"inspect", "inspect_bytes", "check_renewal", "check_against", "is_expired", "to_dict"}
    missing = sorted(n for n in names if not re.search(rf"\.{n}\(|\b{n}\(", sources))
    assert missing == []


def test_files_module_names() -> None:
    assert files.inspect is intune_apple.inspect


def test_every_name_is_importable_from_the_package() -> None:
    from intune_apple import _enums, errors, models

    expected = ["AsyncClient", "Client", "PageProgress", "credentials", "enums", "inspect", "inspect_bytes",
                "rules", "workflows", *_enums.__all__, *errors.__all__, *models.__all__]
    assert intune_apple.__all__ == expected
    star: dict[str, object] = {}
    exec("from intune_apple import *", star)
    for name in expected:
        assert star[name] is getattr(intune_apple, name), name
    assert intune_apple.enums is _enums and intune_apple.VppTokenState is _enums.VppTokenState
    assert intune_apple.NotFoundError is errors.NotFoundError and intune_apple.VppToken is models.VppToken
    assert set(expected) <= set(dir(intune_apple))
    with pytest.raises(AttributeError):
        intune_apple.NoSuchName  # type: ignore[attr-defined]


def test_import_alone_loads_no_more_than_it_needs() -> None:
    # Cold start (docs/performance.md): the package's names load on first use; a sync client
    # does not load asyncio; the command line loads neither typing nor the models.
    code = ("import sys, intune_apple; print(sorted(m for m in sys.modules if m.startswith('intune_apple')));"
            "from intune_apple import Client; print('asyncio' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "['intune_apple']"
    assert out[1] == "False"
    code = "import sys, intune_apple.cli; print(sorted(m for m in sys.modules if m.startswith('intune_apple')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "['intune_apple', 'intune_apple._native', 'intune_apple.cli']"
