"""The dependency arrows of DESIGN.md §2, enforced by walking every import."""

from __future__ import annotations

import ast
from collections.abc import Container
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "security", "adapters", "monitoring", "mocks", "hub")

# package -> the project packages it may import
ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "security": {"schemas"},
    "monitoring": {"schemas"},
    "adapters": {"schemas", "security", "monitoring"},
    "mocks": {"schemas", "security"},
    "hub": {"schemas", "security", "adapters", "monitoring", "mocks"},
}
# third-party modules a package must not use
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "adapters": {"aiohttp.web"},
    "schemas": {"aiohttp", "zeep", "aio_pika"},
    "security": {"aiohttp", "zeep", "aio_pika"},
}


def local(name: str) -> str:
    """``certhub.hub.store`` → ``hub.store``: the folder an import of the namespace names."""
    return name.removeprefix("certhub.")


def imports_of(path: Path) -> set[str]:
    """Every module an absolute import in ``path`` names, ``certhub.`` dropped."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(local(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(local(node.module))
            names.update(local(f"{node.module}.{alias.name}") for alias in node.names)
    return names


def test_every_import_of_the_project_goes_through_certhub() -> None:
    bare = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in (*PACKAGES, "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        for name in _absolute_imports(path)
        if name.split(".")[0] in PACKAGES
    )
    assert not bare, bare


def _absolute_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = list(ast.walk(tree))
    return {
        alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names
    } | {
        node.module
        for node in nodes
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
            for banned in FORBIDDEN_THIRD_PARTY.get(package, set()):
                if name == banned or name.startswith(banned + "."):
                    violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not violations, "\n".join(violations)


def test_tenacity_is_imported_by_one_module_only() -> None:
    users = [
        path.relative_to(ROOT)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if any(name.split(".")[0] == "tenacity" for name in imports_of(path))
    ]
    assert len(users) <= 1, users


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_stay_small(package: str) -> None:
    big = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert not big, big


# --- inside hub/: no import cycle, and the layers' order -------------------------------------

HUB = ROOT / "hub"
RUNTIME = {"hub.runtime.app", "hub.runtime.serving"}
"""The only modules outside ``hub/api`` that may import it: they build and serve the app."""
CAPABILITIES = {
    "accountability", "api", "audit", "cli", "comparison", "compliance", "core", "delivery",
    "departments",
    "enrolment", "evidence", "ingress", "problems", "procedure", "register", "rules", "runtime",
    "service_points",
    "store", "web",
}  # fmt: skip
"""``ls hub/``: one name per capability (README's Architecture table says what each holds)."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.AST, module: str, is_package: bool, modules: Container[str]) -> list[str]:
    """The modules an import statement names, relative ones resolved.

    ``from x import y`` names ``x.y`` if that is a module, else ``x`` (where ``y`` is defined).
    """
    if isinstance(node, ast.Import):
        return [local(alias.name) for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = local(node.module or "")
    if node.level:
        package = module.split(".")[: None if is_package else -1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    named = (f"{base}.{alias.name}" for alias in node.names)
    return [name if name in modules else base for name in named]


def hub_import_graph() -> dict[str, set[str]]:
    """Module → the hub modules it imports when it runs (``if TYPE_CHECKING:`` blocks excluded).

    Imports inside functions count: a cycle postponed into a function body is still a cycle.
    """
    paths = {_module_name(path): path for path in HUB.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found: set[str] = set()
        pending: list[ast.AST] = [tree]
        while pending:
            node = pending.pop()
            if _type_checking_only(node):
                continue
            found.update(_imported(node, module, path.name == "__init__.py", paths))
            pending.extend(ast.iter_child_nodes(node))
        graph[module] = {name for name in found if name in paths and name != module}
    return graph


def _unit(module: str) -> str:
    """The capability a module belongs to: ``hub.<package or loose module>``."""
    return ".".join(module.split(".")[:2])


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as a path ``[a, b, …, a]``, or ``[]`` if there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state and (cycle := visit(following)):
                return cycle
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle_between_hub_modules() -> None:
    cycle = find_cycle(hub_import_graph())
    assert not cycle, " -> ".join(cycle)


def test_no_import_cycle_between_hub_packages() -> None:
    units: dict[str, set[str]] = {}
    for module, imported in hub_import_graph().items():
        units.setdefault(_unit(module), set()).update(
            _unit(name) for name in imported if _unit(name) != _unit(module)
        )
    cycle = find_cycle(units)
    assert not cycle, " -> ".join(cycle)


def test_the_rules_import_nothing_of_hub_but_themselves() -> None:
    leaks = {
        f"{module} imports {name}"
        for module, imported in hub_import_graph().items()
        if module.startswith("hub.rules")
        for name in imported
        if not name.startswith("hub.rules")
    }
    assert not leaks, sorted(leaks)


def test_hub_is_laid_out_by_capability() -> None:
    names = {
        path.stem if path.suffix == ".py" else path.name
        for path in HUB.iterdir()
        if path.name != "__init__.py" and (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert names == CAPABILITIES


def test_every_hub_package_says_what_it_holds() -> None:
    silent = sorted(
        str(path.relative_to(ROOT))
        for path in HUB.rglob("*/")
        if "__pycache__" not in path.parts
        and any(path.glob("*.py"))
        and ast.get_docstring(ast.parse((path / "__init__.py").read_text(encoding="utf-8"))) is None
    )
    assert not silent, silent


def test_only_the_cli_imports_the_mocks() -> None:
    users = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in HUB.rglob("*.py")
        if not path.is_relative_to(HUB / "cli")
        for name in imports_of(path)
        if name.split(".")[0] == "mocks"
    )
    assert not users, users


def test_the_core_imports_nothing_of_hub_and_only_the_cli_imports_the_runtime() -> None:
    graph = hub_import_graph()
    leaks = {
        f"{module} imports {name}"
        for module, imported in graph.items()
        for name in imported
        if (module.startswith("hub.core") and not name.startswith("hub.core"))
        or (name.startswith("hub.runtime") and not module.startswith(("hub.runtime", "hub.cli")))
    }
    assert not leaks, sorted(leaks)


def test_the_api_is_the_top_layer() -> None:
    users = {
        f"{module} imports {name}"
        for module, imported in hub_import_graph().items()
        if not module.startswith("hub.api") and module not in RUNTIME
        for name in imported
        if name.startswith("hub.api")
    }
    assert not users, sorted(users)


# --- one definition each: China Standard Time, base64url, the crash-safe file write -----------

ONE_PLACE: dict[str, str] = {
    "timedelta(hours=8)": "schemas/clock.py",  # China Standard Time
    "base64.urlsafe_b64encode": "security/_encoding.py",
    "base64.urlsafe_b64decode": "security/_encoding.py",
    "os.replace": "security/_files.py",
    "os.rename": "security/_files.py",
    "os.link": "security/_files.py",
}


def _calls(path: Path) -> set[str]:
    """``module.function`` and ``timedelta(hours=N)`` as written in the calls of ``path``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            found.add(f"{func.value.id}.{func.attr}")
        if isinstance(func, ast.Name):
            found.add(func.id)
        if isinstance(func, ast.Name) and func.id == "timedelta":
            found.update(
                f"timedelta(hours={keyword.value.value})"
                for keyword in node.keywords
                if keyword.arg == "hours" and isinstance(keyword.value, ast.Constant)
            )
    return found


def test_each_helper_is_written_once() -> None:
    elsewhere = sorted(
        f"{path.relative_to(ROOT)} calls {call} (use {home})"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for call in _calls(path)
        if (home := ONE_PLACE.get(call)) is not None and str(path.relative_to(ROOT)) != home
    )
    assert not elsewhere, elsewhere


def test_every_app_key_is_declared_in_hub_core_keys() -> None:
    elsewhere = sorted(
        str(path.relative_to(ROOT))
        for path in HUB.rglob("*.py")
        if path != HUB / "core" / "keys.py" and {"web.AppKey", "AppKey"} & _calls(path)
    )
    assert not elsewhere, elsewhere
