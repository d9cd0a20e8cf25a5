"""The CLI an operator finds their way in: version, completion, help, README table (16 §3)."""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from certhub.hub.cli.completion import command_tree
from certhub.hub.cli.demo import run_demo
from certhub.hub.cli.main import build_parser

REPO = Path(__file__).resolve().parents[2]
CERTHUB = [sys.executable, "-m", "certhub.hub.cli.main"]


def _run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CERTHUB_")}
    return subprocess.run(
        [*CERTHUB, *argv],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found is not None, f"{name} is not installed"
    return found


def _leaf_commands() -> list[str]:
    return [node.path for node in command_tree(build_parser()) if node.path and not node.commands]


def test_version_names_the_package_and_the_checkout_commit(tmp_path: Path) -> None:
    head = subprocess.run(
        [_tool("git"), "-C", str(REPO), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"certhub {version('certhub')} (commit {head})\n"


def test_version_shows_the_commit_the_deployment_set() -> None:
    result = _run("--version", env={"CERTHUB_BUILD_COMMIT": "0123abc"})
    assert result.stdout == f"certhub {version('certhub')} (commit 0123abc)\n"


def test_every_command_and_option_says_what_it_does() -> None:
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                for name, child in action.choices.items():
                    if name not in helped:
                        missing.append(f"{path} {name}")
                    walk(child, f"{path} {name}")
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "certhub")
    assert missing == []


def test_the_top_level_help_lists_every_command() -> None:
    result = _run("--help")
    assert result.returncode == 0
    listed = re.findall(r"^    (\S+)", result.stdout, flags=re.MULTILINE)
    top = [node.path for node in command_tree(build_parser()) if node.path and " " not in node.path]
    assert listed == top
    assert {"serve", "dlq", "completion", "audit", "demo"} <= set(listed)
    # the description above the commands: plain words, no reST markup, no partial list
    description = result.stdout.split("\n\n")[1]
    assert "``" not in description
    assert not any(f" {command}," in description for command in top), description


def test_readme_cli_table_has_a_row_for_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("### CLI", 1)[1].split("\n\n", 2)[1]
    rows = [re.split(r"(?<!\\)\|", line)[1] for line in table.splitlines()[2:]]
    written = set()
    for row in rows:  # `certhub trust add JWK …`, `certhub dlq list\|show\|replay\|purge …`
        paths = [""]
        for word in row.strip(" `").removeprefix("certhub ").split():
            if not word[0].islower():
                break
            paths = [f"{path} {each}".strip() for path in paths for each in word.split("\\|")]
            written.update(paths)
    assert [leaf for leaf in _leaf_commands() if leaf not in written] == []


@pytest.fixture(scope="module")
def completion_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = _run("completion", "bash")
    assert result.returncode == 0, result.stderr
    script = tmp_path_factory.mktemp("completion") / "certhub.bash"
    script.write_text(result.stdout, encoding="utf-8")
    return script


def _complete(script: Path, line: str) -> list[str]:
    """What bash offers for ``line`` (the cursor at its end), through the generated function."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    program = (
        f"source {shlex.quote(str(script))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(word) for word in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_certhub\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        [_tool("bash"), "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [word for word in done.stdout.splitlines() if word]


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("certhub tr", ["trust"]),
        ("certhub d", ["db", "dlq", "demo"]),
        ("certhub trust ", ["add", "list", "revoke", "-h", "--help"]),
        ("certhub trust add --sender trust --m", ["--may-send", "--may-read", "--move"]),
        ("certhub keys new --alg ", ["EdDSA", "ES256"]),
        ("certhub serve --role w", ["worker"]),
        ("certhub serve --data ", []),  # a free value: the shell completes file names
        ("certhub serve --data var --po", ["--port"]),
        ("certhub completion ", ["bash", "zsh", "-h", "--help"]),
    ],
)
def test_bash_completes_commands_options_and_choices(
    completion_script: Path, line: str, offered: list[str]
) -> None:
    assert _complete(completion_script, line) == offered


def test_zsh_gets_the_same_function_through_bashcompinit() -> None:
    bash, zsh = _run("completion", "bash").stdout, _run("completion", "zsh").stdout
    assert zsh.endswith(bash)
    assert "bashcompinit" in zsh.removesuffix(bash)


async def test_the_demo_shows_progress_while_pushing_and_pulling(tmp_path: Path) -> None:
    out = io.StringIO()
    summary = await run_demo(tmp_path / "demo", reports=30, out=out, progress=True)
    assert summary.ok
    text = out.getvalue()
    assert "100% 31/31 messages pushed" in text  # 30 reports and the zero report
    assert f"100% {summary.pulled.pulled}/{summary.pushed.accepted} reports pulled" in text
    # 30 reports, the zero report, and the first use of the message id the demo replays
    assert summary.pulled.pulled == summary.pushed.accepted == 32


async def test_the_demo_is_quiet_without_progress(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_demo(tmp_path / "demo", reports=5, out=out)
    assert "\r" not in out.getvalue()
