"""No read endpoint forgets the reader's area: a static check of every route under hub/api.

A handler that authenticates a reader (``require_reader``) must use the
reader's area — itself, or in a helper of its module to which it hands the
reader. The only exception reads nothing but the reader's own records.
"""

from __future__ import annotations

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "hub" / "api"
USES_AREA = (".area", "require_in_area(", "in_area(", "area_condition(")
OWN_RECORDS_ONLY = {
    ("entrance_routes.py", "my_reports"): "the reader's own reports, by its sender id",
}


def _functions(tree: ast.Module) -> dict[str, ast.AsyncFunctionDef | ast.FunctionDef]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
    }


def _scoped(name: str, functions: dict[str, ast.AsyncFunctionDef | ast.FunctionDef]) -> bool:
    source = ast.unparse(functions[name])
    if any(mark in source for mark in USES_AREA):
        return True
    for call in ast.walk(functions[name]):
        # a module helper handed the reader: f(reader, …) or f(…, reader=reader)
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        handed = [*call.args, *(keyword.value for keyword in call.keywords)]
        if call.func.id in functions and any(
            isinstance(arg, ast.Name) and arg.id == "reader" for arg in handed
        ):
            helper = ast.unparse(functions[call.func.id])
            if any(mark in helper for mark in USES_AREA):
                return True
    return False


def readers() -> list[tuple[str, str]]:
    """(module, handler) of every function under hub/api that authenticates a reader."""
    found = []
    for path in sorted(API.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, node in _functions(tree).items():
            if name != "require_reader" and "require_reader(" in ast.unparse(node):
                found.append((path.name, name))
    return found


def test_there_are_read_endpoints_to_check() -> None:
    names = {name for _, name in readers()}
    assert {"_pull", "list_tasks", "get_task", "download_evidence", "get_stats"} <= names


def test_every_read_endpoint_applies_the_readers_area() -> None:
    unscoped = []
    for module, name in readers():
        tree = ast.parse((API / module).read_text(encoding="utf-8"))
        if (module, name) not in OWN_RECORDS_ONLY and not _scoped(name, _functions(tree)):
            unscoped.append(f"hub/api/{module}: {name}")
    assert unscoped == [], (
        "these read endpoints ignore reader.area (certhub.security.scopes: area_condition for "
        "lists, in_area / require_in_area for one record)"
    )


def test_the_check_catches_an_endpoint_that_forgets() -> None:
    tree = ast.parse(
        "async def leaky(request):\n    reader = require_reader(request)\n    return everything()\n"
        "async def fine(request):\n    reader = require_reader(request)\n    return page(reader)\n"
        "def page(reader):\n    return area_condition(reader.area)\n"
    )
    functions = _functions(tree)
    assert not _scoped("leaky", functions)
    assert _scoped("fine", functions)
