"""One import namespace: the six folders are installed as ``certhub.*`` and nothing else.

Five of the six folder names (``hub``, ``adapters``, ``security``, ``schemas``,
``monitoring``) are taken by other distributions on PyPI; installed at the top of
site-packages they would overwrite each other's files. ``certhub/`` at the repository's
top links to them (README, Architecture), so they are imported and installed only as
``certhub.hub``, ``certhub.schemas``, …
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("hub", "schemas", "security", "adapters", "monitoring", "mocks")


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("folder", FOLDERS)
def test_outside_the_repository_only_the_certhub_name_imports(folder: str, tmp_path: Path) -> None:
    bare = _python(f"import {folder}", tmp_path)
    assert bare.returncode != 0
    assert f"No module named '{folder}'" in bare.stderr

    namespaced = _python(f"import certhub.{folder} as m; print(m.__name__)", tmp_path)
    assert namespaced.returncode == 0, namespaced.stderr
    assert namespaced.stdout.strip() == f"certhub.{folder}"


def test_each_link_points_at_its_folder() -> None:
    for folder in FOLDERS:
        link = ROOT / "certhub" / folder
        assert link.is_symlink(), link
        assert link.readlink() == Path("..") / folder  # relative: a clone anywhere works


def test_the_wheel_installs_everything_under_certhub(tmp_path: Path) -> None:
    # Built from a copy, so the build's own folders never land in the working tree.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            "tests",
            "bench",
            "var",
            "demo-data",
        ),
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
         "--no-build-isolation", "-q", "-w", str(tmp_path / "wheel")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("certhub-*.whl")
    names = zipfile.ZipFile(wheel).namelist()

    tops = {name.split("/")[0] for name in names}
    assert tops == {"certhub", wheel.name.removesuffix("-py3-none-any.whl") + ".dist-info"}
    for folder in FOLDERS:
        assert f"certhub/{folder}/__init__.py" in names, folder
    # package data came along: a contract, a dashboard, the py.typed markers
    assert "certhub/adapters/contracts/sms.openapi.json" in names
    assert "certhub/monitoring/dashboards/certhub.json" in names
    assert {"certhub/py.typed", "certhub/schemas/py.typed"} <= set(names)

    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    targets = [
        line.split("=", 1)[1].strip()
        for line in zipfile.ZipFile(wheel).read(entry_points).decode().splitlines()
        if "=" in line
    ]
    assert targets
    assert all(target.startswith("certhub.") for target in targets), targets


def test_the_declared_entry_points_name_certhub_modules() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    targets = [*project["scripts"].values()]
    for group in project["entry-points"].values():
        targets.extend(group.values())
    assert all(target.startswith("certhub.") for target in targets), targets
