"""The README stays true: every setting is documented, and it opens with the two commands."""

from __future__ import annotations

from pathlib import Path

from hub.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


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
