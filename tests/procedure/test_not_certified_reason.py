"""The hub's suspension for non-certification is named by one definition in the procedure.

Its reason, ``not_certified``, is the ledger reason of the restoration the hub signs on a
proposal of either kind and of the proposal a certification opens. Before, three modules
each named it: ``certified_restoration.NOT_CERTIFIED`` (the enum),
``proposal_review.NOT_CERTIFIED`` (its value) and ``restoration_proposals._reason`` (the
string ``"not_certified"``), so a rename in one left the others' records under another
reason. Now ``certified_restoration.NOT_CERTIFIED`` is the one, imported by the others.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROCEDURE = Path(__file__).resolve().parents[2] / "hub" / "procedure"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (or bare strings) in ``tree``."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _named(node: ast.AST) -> bool:
    """Whether ``node`` is ``SuspensionReason.not_certified`` (or its ``.value``)."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr == "not_certified"


def test_the_not_certified_reason_is_defined_once() -> None:
    literals, defined = [], []
    for path in sorted(PROCEDURE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        literals += [
            path.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value == "not_certified"
            and id(node) not in skip
        ]  # fmt: skip
        defined += [
            path.name
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
            and _named(node.value)
        ]  # fmt: skip
    assert literals == []
    assert defined == ["certified_restoration.py"]
