"""The Kotlin and Swift faces expose exactly the operations of bindings-manifest.json (written
from the core's manifest), under their `kotlin` / `swift` names, and one error variant per core
error code. Reads the generated sources (uniffi writes both from the one library, so a name
missing in one is missing in the other).

Usage: python3 bindings-uniffi/tests/parity.py GENERATED.kt intune_apple.swift
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "bindings-manifest.json").read_text(encoding="utf-8"))

# Client members that are not core operations: a read-only property.
CLIENT_NOT_OPERATIONS = {"graphRoot"}


def block(text: str, opening: str) -> str:
    """The text between the brace that follows `opening` and its match."""
    start = text.index(opening)
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    raise ValueError(f"unbalanced {opening}")


def top_level(text: str) -> str:
    """The text outside every brace (comments and string literals skipped), where a
    language's top-level functions are declared."""
    out: list[str] = []
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            i = text.find("*/", i + 2) % (n + 1) + 2
            continue
        if text.startswith("//", i):
            i = text.find("\n", i) % (n + 1)
            continue
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            out.append(c)
        i += 1
    return "".join(out)


def kotlin_faces(text: str) -> tuple[set[str], set[str], set[str]]:
    client = set(re.findall(r"\bfun `?(\w+)`?\(", block(text, "interface ClientInterface")))
    functions = set(re.findall(r"\bfun `(\w+)`\(", top_level(text)))
    errors = set(re.findall(r"^\s*class (\w+)\(", block(text, "sealed class IntuneAppleException"), re.M))
    return client, functions, errors


def swift_faces(text: str) -> tuple[set[str], set[str], set[str]]:
    client = set(re.findall(r"\bfunc (\w+)\(", block(text, "public protocol ClientProtocol")))
    functions = {
        f for f in re.findall(r"\bpublic func (\w+)\(", top_level(text))
        if not f.startswith(("FfiConverter", "uniffi"))
    }
    errors = set(re.findall(r"^\s*case (\w+)\(", block(text, "enum IntuneAppleError: Swift.Error"), re.M))
    return client, functions, errors


def check(face: str, client: set[str], functions: set[str], errors: set[str], variant) -> list[str]:
    problems: list[str] = []
    listed = MANIFEST["operations"]
    for op in listed:
        present = "uniffi" not in op["missingIn"]
        name = op[face]
        have = name in (client if op["surface"] == "client" else functions)
        if have and not present:
            problems.append(f'{face}: {name} is now exposed: remove "uniffi" from missing_in in manifest.rs')
        elif present and not have:
            problems.append(f"{face}: {name} ({op['surface']}) is missing")
    expected_client = {op[face] for op in listed if op["surface"] == "client" and "uniffi" not in op["missingIn"]}
    expected_functions = {op[face] for op in listed if op["surface"] == "function" and "uniffi" not in op["missingIn"]}
    for extra in sorted(client - expected_client - CLIENT_NOT_OPERATIONS):
        problems.append(f"{face}: Client.{extra} is not in the manifest")
    for extra in sorted(functions - expected_functions):
        problems.append(f"{face}: function {extra} is not in the manifest")
    want = {variant(e["uniffi"]) for e in MANIFEST["errorCodes"]}
    if errors != want:
        problems.append(f"{face}: error variants {sorted(errors ^ want)} differ from the core's codes")
    return problems


def main() -> int:
    kotlin = Path(sys.argv[1]).read_text(encoding="utf-8")
    swift = Path(sys.argv[2]).read_text(encoding="utf-8")
    for e in MANIFEST["errorCodes"]:
        camel = "".join(w[:1].upper() + w[1:] for w in e["code"].split("_"))
        assert e["uniffi"] == camel, e
    for op in MANIFEST["operations"]:
        assert op["kotlin"] == op["node"] == op["swift"], op
    problems = check("kotlin", *kotlin_faces(kotlin), variant=lambda v: v)
    problems += check("swift", *swift_faces(swift), variant=lambda v: v)
    for p in problems:
        print(p, file=sys.stderr)
    covered = sum(1 for op in MANIFEST["operations"] if "uniffi" not in op["missingIn"])
    total = len(MANIFEST["operations"])
    if problems:
        return 1
    print(f"parity: Kotlin and Swift expose {covered} of the manifest's {total} operations "
          f"(the other {total - covered} are listed as missing for uniffi)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
