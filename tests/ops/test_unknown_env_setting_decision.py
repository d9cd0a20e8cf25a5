"""A mistyped ``CERTHUB_`` variable in the environment is ignored; in ``.env`` it is refused.

README: "An unknown key in ``.env`` (a typo such as ``CERTHUB_DATABSE_URL``) refuses the
start, naming the key." The deployment's settings are not a ``.env`` but the environment:
the units read ``/etc/certhub/certhub.env`` as ``EnvironmentFile=``, Compose passes
``environment:``. There the very typo README names is dropped without a word: found
running ``certhub serve`` with ``CERTHUB_DATABSE_URL=postgresql://…`` set, the hub started
on the embedded SQLite ledger of its data folder (a worker unit would do the same and
deliver nothing of the deployment's).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from questionkit import decision_wanted

from certhub.hub.cli.common import one_line
from certhub.hub.core.settings import Settings


def test_in_dotenv_the_typo_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CERTHUB_DATABSE_URL=postgresql://db1/certhub\n")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "CERTHUB_DATABSE_URL" in one_line(refused.value)


@decision_wanted(
    "refuse unknown CERTHUB_* environment variables as .env's are"
    " (the deployment's EnvironmentFile is the environment), sparing the harnesses' own"
    " (CERTHUB_CONTRACT_*, bench's CERTHUB_TAIL_PROBE), or document that only .env is checked?"
)
def test_in_the_environment_the_typo_is_refused_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CERTHUB_DATABSE_URL", "postgresql://db1/certhub")
    with pytest.raises(ValidationError) as refused:  # today: Settings() on SQLite, no word
        Settings()
    assert "CERTHUB_DATABSE_URL" in one_line(refused.value)
