"""Generates the typed Python classes of the Graph model from the core's description of its
types, bindings-types.json (written from the types themselves by `cargo test -p
intune-apple-core --test types`; the core's table of exposed types lists what gets a class).

Outputs (committed; `--check` fails when they are out of date):
- src/generated.rs: one `py_model!` per wrapped struct, `py_open_enum!` per enum,
  `py_polymorphic!` per polymorphic type;
- python/intune_apple/_enums.py: the enums as `str` + `enum.Enum` classes;
- python/intune_apple/models.pyi: the stubs of the model classes.

Fields holding a `Secret` are never exposed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The core's description of its exposed types (`cargo test -p intune-apple-core --test types`
# writes it from the types themselves, feature `describe`).
TYPES = ROOT / "bindings-types.json"
# Methods added by hand to generated classes (stubs only; the code is in src/workflows.rs).
EXTRA_STUBS = {
    "TokenProfilesCheck": [
        "    @property\n    def exit_code(self) -> int:\n"
        '        """0 every profile passes, 1 a profile breaks a rule, 2 one could not be checked (none breaks a rule)."""\n',
        "    def has_errors(self) -> bool:\n"
        '        """Whether a profile breaks a rule at error level."""\n',
        "    def to_text(self) -> str:\n"
        '        """Plain text for a terminal (tenant text made safe)."""\n',
        "    def to_json(self) -> str:\n"
        '        """The check as JSON (camelCase, the core\'s shape)."""\n',
    ],
    "HealthReport": [
        "    @property\n    def overall(self) -> Severity:\n"
        '        """The worst severity; at least ``unknown`` when a section could not be read."""\n',
        "    @property\n    def exit_code(self) -> int:\n"
        '        """0 all ok, 1 warning/critical/unknown, 2 expired or a section unreadable."""\n',
        "    def to_json(self) -> str:\n"
        '        """The documented JSON shape (``docs/report.md``)."""\n',
        "    def to_markdown(self) -> str:\n"
        '        """Email-ready Markdown."""\n',
        "    def to_table(self, color: bool = ...) -> str:\n"
        '        """A plain-text table (ANSI colours with ``color=True``)."""\n',
        "    def to_ics(self) -> str:\n"
        '        """An iCalendar file: one event per expiry, alarms at the thresholds."""\n',
        "    def to_prometheus(self) -> str:\n"
        '        """Prometheus text 0.0.4 for node_exporter\'s textfile collector (``docs/alerts.md``)."""\n',
        "    def to_openmetrics(self) -> str:\n"
        '        """The same series in OpenMetrics 1.0, ending with ``# EOF``."""\n',
        "    def to_nagios(self) -> str:\n"
        '        """Nagios / Icinga plugin output; exit with ``nagios_exit_code``."""\n',
        "    @property\n    def nagios_exit_code(self) -> int:\n"
        '        """0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (could not check)."""\n',
        "    def to_checkmk(self) -> str:\n"
        '        """Checkmk local-check lines, one service per credential."""\n',
        "    def to_html(self) -> str:\n"
        '        """A self-contained HTML page with an SVG timeline."""\n',
        "    def to_html_email(self) -> str:\n"
        '        """The HTML e-mail body: inline styles, the timeline as a table."""\n',
        "    def render(self, format: str) -> str:\n"
        '        """Renders in a format by name: table, markdown, json, ics, prometheus, openmetrics, nagios, checkmk, html."""\n',
        "    @staticmethod\n    def from_json(text: str) -> HealthReport:\n"
        '        """Reads a report back from ``to_json()``."""\n',
    ],
}
# Fields not exposed (configuration carried for rendering only).
SKIP_FIELDS = {("HealthReport", "thresholds")}
OUT = Path(__file__).resolve().parents[1]

REPR_PREFERENCE = [
    "id", "display_name", "token_name", "name", "serial_number", "location_name",
    "organization_name", "topic_identifier", "topic", "token_id", "profile_id", "group_id",
    "bundle_id", "state", "severity", "outcome", "code", "target_type", "vpp_token_id", "intent",
]


def doc(text: str) -> str:
    """A doc comment on one line, as the stubs show it."""
    return " ".join(line.strip() for line in text.split("\n"))


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TYPES.read_text())
    return data


def contains_secret(shape: dict[str, Any]) -> bool:
    return shape["kind"] == "secret" or ("of" in shape and contains_secret(shape["of"]))


class Types:
    """The description, and the Python name of each of its shapes."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.types: dict[str, dict[str, Any]] = data["types"]
        exposed = data["exposed"]
        self.paths = {e["name"]: e["path"] for group in exposed.values() for e in group}
        self.wrap = [e["name"] for e in exposed["models"]]
        self.poly = [e["name"] for e in exposed["polymorphic"]]
        self.workflow_wrap = [e["name"] for e in exposed["results"]]
        listed = {e["name"] for e in exposed["enums"]}
        # Open enums: the string enums of intune_apple._enums.
        self.open_enums = sorted(
            n for n in listed if self.types[n]["kind"] == "enum" and self.types[n]["open"]
        )
        # Closed enums listed by the core: the string enums of intune_apple.rules.
        self.rule_enums = sorted(
            n for n in listed if self.types[n]["kind"] == "enum" and not self.types[n]["open"]
        )
        # Other closed enums (plain Rust enums serialised as strings): exposed as `str`.
        self.serde_enums = sorted(
            n for n, t in self.types.items()
            if t["kind"] == "enum" and not t["open"] and n not in listed
        )

    def simple(self, shape: dict[str, Any]) -> str | None:
        kind = shape["kind"]
        if kind in ("string", "bool", "float", "time", "integer"):
            return {"string": "str", "bool": "bool", "float": "float", "time": "datetime",
                    "integer": "int"}[kind]
        if kind == "ref":
            name: str = shape["name"]
            if name in self.serde_enums:
                return "str"
            if name in self.rule_enums or name in self.open_enums:
                return name
            if name in self.wrap or name in self.workflow_wrap or name in self.poly:
                return name
        return None

    def py_type(self, shape: dict[str, Any]) -> str | None:
        """The stub type of a field's shape, or None when the field is not exposed."""
        if contains_secret(shape):
            return None
        opt = shape["kind"] == "optional"
        base = shape["of"] if opt else shape
        if base["kind"] == "json_object":
            out = "dict[str, Any]"
        elif base["kind"] == "list" and (item := self.simple(base["of"])) is not None:
            out = f"list[{item}]"
        elif (simple := self.simple(base)) is not None:
            out = simple
        else:
            raise SystemExit(f"unmapped type {shape}")
        return f"Optional[{out}]" if opt else out

    def exposed(self, name: str) -> list[tuple[dict[str, Any], str]]:
        out = []
        for f in self.types[name]["fields"]:
            if not f["public"] or (name, f["name"]) in SKIP_FIELDS:
                continue
            t = self.py_type(f["type"])
            if t is not None:
                out.append((f, t))
        return out


def stub_doc(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', "'''").strip()
    return f'{indent}"""{text}"""\n' if text else ""


def generate() -> dict[Path, str]:
    t = Types(load())
    types = t.types
    wrap, poly, workflow_wrap = t.wrap, t.poly, t.workflow_wrap
    rs = [
        "// @generated by tools/gen_models.py from bindings-types.json: do not edit.\n",
        "use intune_apple_core::model::*;\n\n",
        "".join(f"py_serde_enum!({types[e]['module']}::{e});\n" for e in t.serde_enums),
    ]
    py = [
        '"""Enumerations of the Graph model. Generated by tools/gen_models.py: do not edit."""\n\n',
        "from __future__ import annotations\n\n",
        "from intune_apple._open_enum import OpenEnum\n\n",
    ]
    pyi = [
        '"""Typed results. Generated by tools/gen_models.py: do not edit."""\n\n',
        "from datetime import datetime\n",
        "from typing import Any, Optional, Union\n\n",
        "from intune_apple.rules import Severity, TokenKind\n",
    ]
    names = t.open_enums
    pyi.append("from intune_apple._enums import " + ", ".join(names) + "\n\n")
    for name in names:
        e = types[name]
        rs.append(f"py_open_enum!({name});\n")
        py.append(f"\nclass {name}(OpenEnum):\n")
        py.append(stub_doc(doc(e["doc"]), "    "))
        for member in e["members"]:
            variant, wire = member["name"], member["wire"]
            const = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", variant).upper()
            py.append(f"    {const} = {wire!r}\n")
        py.append("\n")
    py.append("\n__all__ = [\n" + "".join(f"    {n!r},\n" for n in names) + "]\n")
    pyi.append("__all__ = [\n")
    for n in wrap + poly + workflow_wrap:
        pyi.append(f"    {n!r},\n")
    pyi.append("]\n\n")
    for name in wrap + workflow_wrap:
        s = types[name]
        fields = t.exposed(name)
        names_ = [f["name"] for f, _ in fields]
        repr_fields = [n for n in REPR_PREFERENCE if n in names_][:3] or names_[:2]
        rs.append(
            f"py_model!(Py{name}, {t.paths[name]}::{name}, \"{name}\", [{', '.join(repr_fields)}], [{', '.join(names_)}]);\n"
        )
        pyi.append(f"class {name}:\n")
        pyi.append(stub_doc(doc(s["doc"]), "    "))
        for f, ty in fields:
            pyi.append(f"    @property\n    def {f['name']}(self) -> {ty}:\n")
            pyi.append(stub_doc(doc(f["doc"]), "        ") or "        ...\n")
        pyi.extend(EXTRA_STUBS.get(name, []))
        pyi.append("    def to_dict(self) -> dict[str, Any]:\n")
        pyi.append('        """Every attribute, nested objects as dicts (JSON-ready except datetimes)."""\n')
        pyi.append("    def __eq__(self, other: object) -> bool: ...\n\n")
    for name in poly:
        p = types[name]
        variants = ", ".join(v["name"] for v in p["variants"])
        rs.append(f"py_polymorphic!({name}, [{variants}]);\n")
        members: list[str] = []
        for v in p["variants"]:
            if v["type"]["name"] not in members:
                members.append(v["type"]["name"])
        pyi.append(f"{name} = Union[{', '.join(members)}]\n")
        pyi.append(stub_doc(doc(p["doc"]), ""))
        pyi.append("\n")
    rs.append("\n/// Registers every generated class.\n")
    rs.append("pub(crate) fn register(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {\n")
    rs.append("    use pyo3::types::PyModuleMethods as _;\n")
    for name in wrap + workflow_wrap:
        rs.append(f"    m.add_class::<crate::models::Py{name}>()?;\n")
    rs.append("    Ok(())\n}\n")
    rs.append("\n/// Rebuilds a pickled result from its class name and JSON.\n")
    rs.append("pub(crate) fn restore_generated(\n    py: pyo3::Python<'_>,\n    name: &str,\n    data: &[u8],\n) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {\n")
    rs.append("    match name {\n")
    for name in wrap + workflow_wrap:
        rs.append(f"        \"{name}\" => crate::models::restore_as::<{t.paths[name]}::{name}>(py, name, data),\n")
    rs.append("        _ => Err(pyo3::exceptions::PyValueError::new_err(format!(\"cannot unpickle {name}: not an intune-apple result class\"))),\n")
    rs.append("    }\n}\n")
    return {
        OUT / "src" / "generated.rs": "".join(rs),
        OUT / "python" / "intune_apple" / "_enums.py": "".join(py).rstrip() + "\n",
        OUT / "python" / "intune_apple" / "models.pyi": "".join(pyi).rstrip() + "\n",
    }


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for path, text in generate().items():
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(OUT)))
        else:
            path.write_text(text)
    if stale:
        print("out of date (run python tools/gen_models.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
