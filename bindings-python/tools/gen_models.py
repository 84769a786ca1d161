"""Generates the typed Python classes of the Graph model from intune-apple-core/src/model.

Outputs (committed; `--check` fails when they are out of date):
- src/generated.rs: one `py_model!` per wrapped struct, `py_open_enum!` per enum,
  `py_polymorphic!` per polymorphic type;
- python/intune_apple/_enums.py: the enums as `str` + `enum.Enum` classes;
- python/intune_apple/models.pyi: the stubs of the model classes.

Fields holding a `Secret` are never exposed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "intune-apple-core" / "src"
MODEL = CORE / "model"
# Other sources of result types, with the Rust path their items are reachable by.
EXTRA_SOURCES = {
    CORE / "workflows" / "report" / "mod.rs": "intune_apple_core::workflows::report",
    CORE / "workflows" / "renewal" / "push.rs": "intune_apple_core::workflows::renewal",
    CORE / "workflows" / "renewal" / "enrollment_program.rs": "intune_apple_core::workflows::renewal",
    CORE / "workflows" / "renewal" / "vpp.rs": "intune_apple_core::workflows::renewal",
    CORE / "workflows" / "duplicates.rs": "intune_apple_core::workflows::duplicates",
    CORE / "workflows" / "profiles.rs": "intune_apple_core::workflows::profiles",
    CORE / "workflows" / "profile_check.rs": "intune_apple_core::workflows::profile_check",
    CORE / "workflows" / "step.rs": "intune_apple_core::workflows::step",
    CORE / "workflows" / "error.rs": "intune_apple_core::workflows::error",
    CORE / "rules" / "duplicates.rs": "intune_apple_core::rules::duplicates",
}
# Results of the workflows (exposed by intune_apple.workflows).
WORKFLOW_WRAP = [
    "HealthReport", "ReportItem", "ReportProblem", "ReportError", "ItemSync", "PushRenewalReport",
    "CsrDownload", "DepRenewalReport", "VppRenewalReport", "Step", "Refusal",
    "DuplicateRepairReport", "AppRepair", "AssignmentSummary", "AssignmentKey",
    "AssignmentConflict", "NotCopied", "OrphanApp", "OldToken", "AppRef", "ProfileCreated",
    "ViolationSummary", "SerialList", "DeviceResult", "SerialAssignmentReport",
    "DefaultProfileSet", "SupersededToken", "TokenRoles", "DuplicateApp", "DuplicateFindings",
    "AssignmentPlan", "TokenProfilesCheck", "ProfileCheck",
]
# Plain Rust enums serialised as camelCase strings: exposed as `str`.
SERDE_ENUMS = ["RepairOutcome", "StepOutcome", "AppPlatform", "DeviceOutcome"]
# Rule enums exposed as the string enums of intune_apple.rules.
RULE_ENUMS = ["Severity", "TokenKind"]
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

# Structs exposed to Python, in output order.
WRAP = [
    "ApplePushNotificationCertificate", "DataSharingConsent", "DepOnboardingSetting",
    "BaseEnrollmentProfile", "DepIosEnrollmentProfile", "DepMacOsEnrollmentProfile",
    "DepEnrollmentProfile", "UnknownEnrollmentProfile", "ManagementCertificateWithThumbprint",
    "DepProfileAdminAccountPasswordRotationSetting", "DepProfileDelayAutoRotationSetting",
    "ImportedAppleDeviceIdentity", "ImportedAppleDeviceIdentityResult", "IosVppApp", "MacOsVppApp",
    "MimeContent", "VppLicensingType", "IosDeviceType", "VppAppRevokeLicensesActionResult",
    "MobileAppAssignment", "GroupAssignmentTarget", "AllAssignmentTarget",
    "ConfigurationManagerCollectionAssignmentTarget", "IosVppAppAssignmentSettings",
    "MacOsVppAppAssignmentSettings", "VppTokenActionResult", "VppToken", "VppTokenLicenseSummary",
    "UnknownObject",
]
POLY = ["EnrollmentProfile", "MobileApp", "AssignmentTarget", "MobileAppAssignmentSettings"]
REPR_PREFERENCE = [
    "id", "display_name", "token_name", "name", "serial_number", "location_name",
    "organization_name", "topic_identifier", "topic", "token_id", "profile_id", "group_id",
    "bundle_id", "state", "severity", "outcome", "code", "target_type", "vpp_token_id", "intent",
]


@dataclass
class Field:
    name: str
    rust_type: str
    doc: str


@dataclass
class Struct:
    name: str
    doc: str
    fields: list[Field] = field(default_factory=list)
    path: str = "intune_apple_core::model"


@dataclass
class Enum:
    name: str
    doc: str
    members: list[tuple[str, str, str]] = field(default_factory=list)  # (variant, wire, doc)


@dataclass
class Poly:
    name: str
    doc: str
    variants: list[tuple[str, str]] = field(default_factory=list)  # (variant, type)


def parse() -> tuple[dict[str, Struct], dict[str, Enum], dict[str, Poly]]:
    structs: dict[str, Struct] = {}
    enums: dict[str, Enum] = {}
    polys: dict[str, Poly] = {}
    sources = [(p, "intune_apple_core::model") for p in sorted(MODEL.glob("*.rs"))]
    sources += list(EXTRA_SOURCES.items())
    for path, rust_path in sources:
        lines = path.read_text().splitlines()
        doc: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("#[cfg(test)]"):
                break
            if line.startswith("///"):
                doc.append(line[3:].strip())
            elif m := re.match(r"pub struct (\w+) \{$", line):
                s = Struct(m.group(1), " ".join(doc), path=rust_path)
                doc = []
                i += 1
                fdoc: list[str] = []
                while lines[i].strip() != "}":
                    fl = lines[i].strip()
                    if fl.startswith("///"):
                        fdoc.append(fl[3:].strip())
                    elif fm := re.match(r"pub (\w+): (.+),$", fl):
                        s.fields.append(Field(fm.group(1), fm.group(2), " ".join(fdoc)))
                        fdoc = []
                    i += 1
                structs.setdefault(s.name, s)
            elif line in ("open_enum! {", "odata_polymorphic! {"):
                poly = line.startswith("odata")
                i += 1
                edoc: list[str] = []
                while not lines[i].strip().startswith("pub enum"):
                    t = lines[i].strip()
                    if t.startswith("///"):
                        edoc.append(t[3:].strip())
                    i += 1
                name = lines[i].strip().split()[2]
                i += 1
                mdoc: list[str] = []
                e = Enum(name, " ".join(edoc))
                p = Poly(name, " ".join(edoc))
                while lines[i].strip() != "}":
                    t = lines[i].strip()
                    if t.startswith("///"):
                        mdoc.append(t[3:].strip())
                    elif poly and (pm := re.match(r"(\w+)\((\w+)\)", t)):
                        p.variants.append((pm.group(1), pm.group(2)))
                    elif not poly and (em := re.match(r'(\w+) = "([^"]+)"', t)):
                        e.members.append((em.group(1), em.group(2), " ".join(mdoc)))
                        mdoc = []
                    i += 1
                if poly:
                    polys[name] = p
                else:
                    enums[name] = e
                doc = []
            elif not line.startswith("#["):
                doc = []
            i += 1
    return structs, enums, polys


def inner_type(t: str) -> str:
    m = re.fullmatch(r"Option<(.+)>", t)
    return m.group(1) if m else t


def py_type(t: str, enums: dict[str, Enum], polys: dict[str, Poly]) -> str | None:
    """The stub type of a Rust field type, or None when the field is not exposed."""
    if "Secret" in t:
        return None
    opt = t.startswith("Option<")
    base = inner_type(t)
    box = re.fullmatch(r"Box<(?:super::)?(\w+)>", base)
    if box:
        base = box.group(1)
    vec = re.fullmatch(r"Vec<(?:super::)?(\w+)>", base)
    simple = {
        "String": "str", "bool": "bool", "i32": "int", "i64": "int", "u64": "int", "f64": "float",
        "usize": "int", "DateTime<Utc>": "datetime",
    }
    simple.update({e: "str" for e in SERDE_ENUMS})
    simple.update({e: e for e in RULE_ENUMS})
    if base == "serde_json::Map<String, serde_json::Value>":
        out = "dict[str, Any]"
    elif vec:
        out = f"list[{simple.get(vec.group(1), vec.group(1))}]"
    elif base in simple:
        out = simple[base]
    elif base in enums or base in WRAP or base in WORKFLOW_WRAP or base in polys:
        out = base
    else:
        raise SystemExit(f"unmapped Rust type {t}")
    return f"Optional[{out}]" if opt else out


def exposed(s: Struct, enums: dict[str, Enum], polys: dict[str, Poly]) -> list[tuple[Field, str]]:
    out = []
    for f in s.fields:
        if (s.name, f.name) in SKIP_FIELDS:
            continue
        t = py_type(f.rust_type, enums, polys)
        if t is not None:
            out.append((f, t))
    return out


def stub_doc(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', "'''").strip()
    return f'{indent}"""{text}"""\n' if text else ""


def generate() -> dict[Path, str]:
    structs, enums, polys = parse()
    rs = [
        "// @generated by tools/gen_models.py from intune-apple-core/src/model: do not edit.\n",
        "use intune_apple_core::model::*;\n\n",
        "".join(f"py_serde_enum!({p}::{e});\n" for e, p in [
            ("RepairOutcome", "intune_apple_core::workflows::duplicates"),
            ("StepOutcome", "intune_apple_core::workflows::step"),
            ("AppPlatform", "intune_apple_core::rules::duplicates"),
            ("DeviceOutcome", "intune_apple_core::workflows::profiles"),
        ]),
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
    names = sorted(enums)
    pyi.append("from intune_apple._enums import " + ", ".join(names) + "\n\n")
    for name in names:
        e = enums[name]
        rs.append(f"py_open_enum!({name});\n")
        py.append(f"\nclass {name}(OpenEnum):\n")
        py.append(stub_doc(e.doc, "    "))
        for variant, wire, _doc in e.members:
            const = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", variant).upper()
            py.append(f"    {const} = {wire!r}\n")
        py.append("\n")
    py.append("\n__all__ = [\n" + "".join(f"    {n!r},\n" for n in names) + "]\n")
    pyi.append("__all__ = [\n")
    for n in WRAP + POLY + WORKFLOW_WRAP:
        pyi.append(f"    {n!r},\n")
    pyi.append("]\n\n")
    for name in WRAP + WORKFLOW_WRAP:
        s = structs[name]
        fields = exposed(s, enums, polys)
        names_ = [f.name for f, _ in fields]
        repr_fields = [n for n in REPR_PREFERENCE if n in names_][:3] or names_[:2]
        rs.append(
            f"py_model!(Py{name}, {s.path}::{name}, \"{name}\", [{', '.join(repr_fields)}], [{', '.join(names_)}]);\n"
        )
        pyi.append(f"class {name}:\n")
        pyi.append(stub_doc(s.doc, "    "))
        for f, t in fields:
            pyi.append(f"    @property\n    def {f.name}(self) -> {t}:\n")
            pyi.append(stub_doc(f.doc, "        ") or "        ...\n")
        pyi.extend(EXTRA_STUBS.get(name, []))
        pyi.append("    def to_dict(self) -> dict[str, Any]:\n")
        pyi.append('        """Every attribute, nested objects as dicts (JSON-ready except datetimes)."""\n')
        pyi.append("    def __eq__(self, other: object) -> bool: ...\n\n")
    for name in POLY:
        p = polys[name]
        variants = ", ".join(v for v, _ in p.variants)
        rs.append(f"py_polymorphic!({name}, [{variants}]);\n")
        types = []
        for _, t in p.variants:
            if t not in types:
                types.append(t)
        pyi.append(f"{name} = Union[{', '.join(types)}]\n")
        pyi.append(stub_doc(p.doc, ""))
        pyi.append("\n")
    rs.append("\n/// Registers every generated class.\n")
    rs.append("pub(crate) fn register(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {\n")
    rs.append("    use pyo3::types::PyModuleMethods as _;\n")
    for name in WRAP + WORKFLOW_WRAP:
        rs.append(f"    m.add_class::<crate::models::Py{name}>()?;\n")
    rs.append("    Ok(())\n}\n")
    rs.append("\n/// Rebuilds a pickled result from its class name and JSON.\n")
    rs.append("pub(crate) fn restore_generated(\n    py: pyo3::Python<'_>,\n    name: &str,\n    data: &[u8],\n) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {\n")
    rs.append("    match name {\n")
    for name in WRAP + WORKFLOW_WRAP:
        rs.append(f"        \"{name}\" => crate::models::restore_as::<{structs[name].path}::{name}>(py, name, data),\n")
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
