"""The package exposes exactly the operations of bindings-manifest.json (written from the core's
manifest), each under its snake_case name, and one exception class per core error code."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import intune_apple
from intune_apple import AsyncClient, Client, errors, rules

MANIFEST: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "bindings-manifest.json").read_text(encoding="utf-8")
)
OPERATIONS: list[dict[str, Any]] = MANIFEST["operations"]

# Client members that are not core operations: construction, context management, a property.
CLIENT_NOT_OPERATIONS = {"from_env", "close", "graph_root"}


def present(op: dict[str, Any]) -> bool:
    return "python" not in op["missingIn"]


def public_methods(cls: type) -> set[str]:
    return {n for n, _ in inspect.getmembers(cls) if not n.startswith("_")} - CLIENT_NOT_OPERATIONS


def test_python_name_is_the_canonical_name() -> None:
    for op in OPERATIONS:
        assert op["python"] == op["name"]


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_client_has_every_client_operation_and_no_other(cls: type) -> None:
    listed = [op for op in OPERATIONS if op["surface"] == "client"]
    for op in listed:
        assert callable(getattr(cls, op["python"], None)) == present(op), (
            op["python"], "missing" if present(op) else 'now exposed: remove "python" from missing_in in manifest.rs')
    expected = {op["python"] for op in listed if present(op)}
    assert sorted(public_methods(cls) - expected) == []


def test_module_functions_are_the_manifests() -> None:
    listed = [op for op in OPERATIONS if op["surface"] == "function"]
    modules = {op["pythonModule"] for op in listed}
    for op in listed:
        module = importlib.import_module(f"intune_apple.{op['pythonModule']}")
        assert callable(getattr(module, op["python"], None)) == present(op), op["python"]
    for name in modules:
        module = importlib.import_module(f"intune_apple.{name}")
        functions = {
            n for n in getattr(module, "__all__", [])
            if inspect.isfunction(getattr(module, n)) or inspect.isbuiltin(getattr(module, n))
        }
        expected = {op["python"] for op in listed if op["pythonModule"] == name and present(op)}
        # The asyncio twin of a blocking module function, by rule: `<name>_async`.
        twins = {f"{n}_async" for n in expected}
        assert sorted(functions - expected - twins) == [], name


def test_one_exception_class_per_core_error_code() -> None:
    by_kind = {
        cls.kind: cls for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.IntuneAppleError) and cls is not errors.IntuneAppleError
    }
    assert sorted(by_kind) == sorted(e["code"] for e in MANIFEST["errorCodes"])
    assert by_kind["verification_failed"] is errors.VerificationFailedError
    assert intune_apple.VerificationFailedError is errors.VerificationFailedError


def test_an_unknown_locale_is_refused_as_in_node() -> None:
    with pytest.raises(errors.InvalidInputError):
        rules.renewal_guidance("vpp_token", locale="german")
    with pytest.raises(errors.InvalidInputError):
        rules.renewal_guidance("vpp_token", locale="frx")
    assert rules.renewal_guidance("vpp_token", locale="fr-CA").consequence == rules.renewal_guidance(
        "vpp_token", locale="fr").consequence


def test_enum_classes_are_the_models_members() -> None:
    from intune_apple import _enums

    for name, members in MANIFEST["enums"].items():
        cls = getattr(_enums, name, None)
        assert cls is not None, f"{name}: no enum class in intune_apple._enums"
        assert [m.value for m in cls] == members, f"{name}: differs from the core's model"
