"""The README stays true: every setting is documented with its default, it opens with the
two commands, every shell example runs as written in an empty folder, every file it names
exists, and its Architecture table says what each package of ``hub/`` imports."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest
from ports import free_port
from pydantic import SecretStr

from certhub.hub.api.openapi import openapi_document
from certhub.hub.cli.completion import command_tree
from certhub.hub.cli.main import build_parser
from certhub.hub.core.settings import Settings
from certhub.hub.rules.deadlines import DEFAULT_DEADLINE_DAYS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"CERTHUB_{name.upper()}"
        for name in Settings.model_fields
        if f"CERTHUB_{name.upper()}" not in README
    ]
    assert not missing, f"README.md does not document {missing}"


def _table(heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after ``heading`` (header rows dropped)."""
    section = README.split(heading, 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    first = section.splitlines().index(lines[0])
    rows = []
    for line in section.splitlines()[first:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows[2:]


def _names(row: str) -> list[list[str]]:
    """The command words a CLI row spells: `certhub dlq list\\|show …` → [[dlq], [list, show]]."""
    words = row.strip("`").removeprefix("certhub ").split()
    return [word.split("\\|") for word in words]


def test_the_cli_table_gives_every_option_of_every_command() -> None:
    rows = [command.strip("`") for command, _what in _table("### CLI")]
    missing = []
    for node in command_tree(build_parser()):
        if not node.path or node.commands:  # the root and the groups: their leaves have rows
            continue
        path = node.path.split()
        usage = " ".join(
            row
            for row in rows
            if len(names := _names(row)) >= len(path)
            and all(word in spelled for word, spelled in zip(path, names, strict=False))
        )
        assert usage, f"no README row for certhub {node.path}"
        if usage.endswith("…"):  # the dlq row: its options are under "Reliable delivery"
            continue
        missing += [
            f"certhub {node.path} {option}"
            for option in node.options
            if option.startswith("--")
            and option != "--help"
            and not re.search(rf"{re.escape(option)}(?![\w-])", usage)
        ]
    assert missing == []


def _route_pattern(path: str, placeholder: str) -> re.Pattern[str]:
    """``path`` with each ``{param}`` standing for ``placeholder``."""
    parts = re.split(r"\{[^}]*\}", path)
    return re.compile(placeholder.join(re.escape(part) for part in parts) + r"(?![\w/{<-])")


# README's shorthand for a route it names otherwise: a schema type is `name/version`.
SHORTHANDS = {"/v1/schemas/{type}"}


def test_every_route_is_in_the_readme_and_every_route_it_names_is_served() -> None:
    paths = list(openapi_document()["paths"])  # checked against the app's router elsewhere
    # a parameter may be written {param}, <param> or as a value (`/v1/inbound/yunfu/messages`)
    absent = [
        p for p in paths if not _route_pattern(p, r"(?:\{[^}`]*\}|<[^>`]*>|[\w.-]+)").search(README)
    ]
    assert absent == [], "routes README does not name"
    served = [_route_pattern(p, "[^/]+") for p in paths]
    named = re.findall(
        r"(?<![\w.])(/v1/[^\s`?,;)\[\]]*|/(?:app|map|rate|public)\b[^\s`?,;)\[\]]*)", README
    )
    gone = {
        path
        for path in named
        if path.rstrip(".:") not in SHORTHANDS
        and not any(
            p.fullmatch(re.sub(r"\{[^}]*\}|<[^>]*>", "X", path.rstrip(".:"))) for p in served
        )
    }
    assert sorted(gone) == [], "README names routes the hub does not serve"


def _shown(name: str) -> str:
    """A setting's default as README's Configuration table writes it (without backticks)."""
    if name in {"trust_store", "reporting_units"}:  # unset: a file in the data folder
        folder = Settings.model_construct(data_dir=Path("DATA"))
        path = folder.trust_store_path if name == "trust_store" else folder.reporting_units_path
        return str(path)
    default = Settings.model_fields[name].get_default(call_default_factory=True)
    if isinstance(default, SecretStr):
        default = default.get_secret_value()
    if default is None:
        return "unset"
    if default in ({}, ()):  # an empty mapping or list of values
        return "none"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)


def test_the_configuration_table_gives_every_settings_true_default() -> None:
    rows = _table("### Configuration")
    documented: dict[str, str] = {}
    wrong = []
    for variables, default, _meaning in rows:
        names = [
            name.removeprefix("CERTHUB_").lower()
            for name in re.findall(r"`(CERTHUB_[A-Z0-9_]+?)(?:__<[A-Z]+>)*`", variables)
        ]
        for name in names:
            assert name not in documented, f"CERTHUB_{name.upper()} has two rows"
            documented[name] = default
        if names == ["task_deadline_days"]:  # by kind: the rule's defaults
            days = {
                kind: int(n)
                for kinds, n in re.findall(r"([a-z_, ]+) `(\d+)`", default)
                for kind in kinds.strip(" ,").split(", ")
            }
            if days != dict(DEFAULT_DEADLINE_DAYS):
                wrong.append(f"task_deadline_days: README {days}, rules {DEFAULT_DEADLINE_DAYS}")
            continue
        values = re.findall(r"`([^`]*)`", default) or [default]
        if values != [_shown(name) for name in names]:
            wrong.append(f"{names}: README {values}, settings {[_shown(n) for n in names]}")
    assert sorted(documented) == sorted(Settings.model_fields), "one row per setting, no other"
    assert wrong == []


# Paths the hub or the tests make at run time, named in README but not in the repository.
MADE_AT_RUN_TIME = {"tests/browser/screenshots/"}


def test_every_file_the_readme_names_exists() -> None:
    tops = [
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.endswith(".egg-info") and p.name not in {".git", ".venv"}
    ]
    folders = "|".join(re.escape(top) for top in tops)
    in_folders = re.compile(rf"(?<![\w./~-])((?:{folders})/[\w.*/-]*[\w*/])")
    named = set(in_folders.findall(README)) - MADE_AT_RUN_TIME
    missing = sorted(path for path in named if not list(ROOT.glob(path.rstrip("/"))))
    modules = {path.name for top in tops for path in (ROOT / top).rglob("*.py")}
    missing += sorted(set(re.findall(r"(?<![\w/.*-])(\w+\.py)\b", README)) - modules)
    assert missing == [], "README names files that do not exist"


def _architecture() -> ModuleType:
    """tests/test_architecture.py, for its import graph of hub/ (tests/ is not on sys.path)."""
    spec = importlib.util.spec_from_file_location(
        "readme_architecture", ROOT / "tests" / "test_architecture.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_architecture_table_says_what_each_hub_package_imports() -> None:
    architecture = _architecture()
    imported: dict[str, set[str]] = {}
    for module, targets in architecture.hub_import_graph().items():
        unit = architecture._unit(module).removeprefix("hub.")
        imported.setdefault(unit, set()).update(
            architecture._unit(t).removeprefix("hub.") for t in targets
        )
        imported[unit].discard(unit)
    rows = _table("`ls hub/` is the list of its capabilities")
    capabilities = [re.sub(r"/$|\.py$", "", folder.strip("`")) for folder, _what, _may in rows]
    listing = (ROOT / "hub").iterdir()  # `ls hub/`
    assert sorted(capabilities) == sorted(
        p.stem for p in listing if p.name not in {"__init__.py", "__pycache__"}
    )
    wrong = []
    for index, (name, (_folder, _what, may)) in enumerate(zip(capabilities, rows, strict=True)):
        actual = imported.get(name, set())
        if may.startswith("all of the above"):
            if not actual <= set(capabilities[:index]):
                wrong.append(f"{name} imports {sorted(actual - set(capabilities[:index]))}")
            continue
        if may == "everything":
            continue
        listed = set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", may)))
        if listed != actual:
            wrong.append(f"{name}: README {sorted(listed)}, imports {sorted(actual)}")
    assert wrong == []


def test_the_readme_opens_with_the_two_commands() -> None:
    lines = README.splitlines()
    start = lines.index("```sh") + 1
    commands = [line.split("#")[0].strip() for line in lines[start : start + 2]]
    assert commands == ["make demo", "make test"]
    assert start < 5  # the very first lines a newcomer reads


def _shell_blocks() -> list[list[str]]:
    """Every ``sh`` block after the opening one, as commands (continuation lines joined)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    inside = False
    for line in README.splitlines():
        if line.strip() == "```sh":
            inside, current = True, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append(_commands(current))
        elif inside:
            current.append(line)
    return blocks[1:]  # the first is `make demo` / `make test`, checked above and run by CI


def _commands(lines: list[str]) -> list[str]:
    commands, pending = [], ""
    for line in lines:
        text = line.split(" #")[0].rstrip() if " #" in line else line.rstrip()
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        if pending + text.strip():
            commands.append((pending + text).strip())
        pending = ""
    return commands


def _serve_until_healthy(command: str, folder: Path, env: dict[str, str]) -> None:
    """Start a ``certhub serve`` example, wait for /healthz, stop it with SIGTERM."""
    port = free_port()  # the one change: 8080 may be taken on a shared test machine
    command = re.sub(r"--port \d+", f"--port {port}", command)
    # exec: the signal reaches certhub itself, not the shell around it
    process = subprocess.Popen(f"exec {command}", shell=True, cwd=folder, env=env)  # noqa: S602
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    return
            except OSError:
                assert process.poll() is None, "the hub ended (see its stderr above)"
                assert time.monotonic() < deadline, "the hub did not start"
                time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.parametrize("block", range(len(_shell_blocks())))
def test_every_shell_example_runs_verbatim_in_an_empty_folder(tmp_path: Path, block: int) -> None:
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # README's commands say .venv/bin/certhub
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
    for command in _shell_blocks()[block]:
        if " serve " in f"{command} ":
            _serve_until_healthy(command, tmp_path, env)
            continue
        result = subprocess.run(  # noqa: S602 - the README's own shell lines
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{command}\n{result.stderr}"
