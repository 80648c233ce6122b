"""A clone without ../shared runs the suite: tests reach the reference data only through
`tests.support.reference.shared(...)`, which skips naming the missing path (never a path built by hand, which
fails at collection or mid-test where ../shared is absent)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ALLOWED = {TESTS / "support" / "reference.py", Path(__file__).resolve()}  # the gate, and this check


def hand_built_paths(source: str) -> list[int]:
    """Lines of string constants naming the shared folder: "shared", "../shared…", "…/shared/data…"."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value == "shared" or node.value.startswith("../shared") or "/shared/data" in node.value)
    )


def test_only_the_gate_names_the_shared_folder():
    offenders = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        if path not in ALLOWED
        for line in hand_built_paths(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"reach ../shared through tests.support.reference.shared(...): {offenders}"


def test_the_check_finds_a_hand_built_path():
    assert hand_built_paths(
        'DATA = ROOT.parent / "shared" / "data"\nOTHER = open("../shared/data/x.json")\n'
    ) == [
        1,
        2,
    ]
    assert hand_built_paths('"""Shared test data."""\nshared("ctdl", "x.json")\n') == []
    assert hand_built_paths((TESTS / "support" / "reference.py").read_text(encoding="utf-8"))  # the gate does
