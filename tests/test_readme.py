"""The README stays true: every setting is documented, it opens with the two commands,
and every shell example runs as written in an empty folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from ports import free_port

from certhub.hub.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"CERTHUB_{name.upper()}"
        for name in Settings.model_fields
        if f"CERTHUB_{name.upper()}" not in README
    ]
    assert not missing, f"README.md does not document {missing}"


def test_the_readme_opens_with_the_two_commands() -> None:
    lines = README.splitlines()
    start = lines.index("```sh") + 1
    commands = [line.split("#")[0].strip() for line in lines[start : start + 2]]
    assert commands == ["make demo", "make test"]
    assert start < 5  # the very first lines a newcomer reads


def _shell_blocks() -> list[list[str]]:
    """Every ``sh`` block after the opening one, as commands (continuation lines joined)."""
    blocks, current, inside = [], [], False
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
