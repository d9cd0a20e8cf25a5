"""The county's command line against a running hub: enrol issue, trust revoke, trust add --area.

The commands run in this process (``certhub.hub.cli.main.main``), on the data
folder the running hub serves: they meet only through the files, as on a host.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from enrolkit import A, County, Phone

from certhub.hub.cli.main import main
from certhub.security import TrustStore, b64url_decode

CODE = re.compile(r"^code (\d{4}-\d{4}-\d{4})$", re.MULTILINE)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit status and output (stdout and stderr) of ``certhub ARGS``."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out + captured.err


async def test_a_code_printed_by_the_cli_enrols_at_the_running_hub(
    county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(county.office.settings.data_dir)
    status, output = cli(capsys, "enrol", "issue", "--village", A, "--hours", "1", "--data", data)
    assert status == 0, output
    match = CODE.search(output)
    assert match, output
    assert f"village {A}  role coordinator  sender coord-{A}-" in output
    phone = Phone()
    status, enrolled = await county.enrol(match.group(1), phone.webcrypto_jwk())
    assert status == 201, enrolled
    phone.enrolled = enrolled
    assert (await county.push(phone, county.report(phone, A)))[0] == 202

    # Lost phone: the county revokes the key from the command line; the hub refuses it soon.
    status, output = cli(capsys, "trust", "revoke", enrolled["kid"], "--data", data)
    assert status == 0, output
    deadline = time.monotonic() + 10
    while (await county.push(phone, county.report(phone, A)))[0] != 401:
        assert time.monotonic() < deadline, "the running hub did not pick up the revocation"
        await asyncio.sleep(0.05)
    status, output = cli(capsys, "trust", "list", "--data", data)
    line = next(row for row in output.splitlines() if enrolled["kid"] in row)
    assert f"{enrolled['kid']}  {enrolled['sender']}" in line
    assert f"area={A}" in line
    assert "revoked=yes" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--village", A[:9]], "--village"),
        (["--village", A, "--hours", "73"], "--hours"),
        (["--village", "110101001201"], "--village"),
        (["--village", A, "--sender", "city"], "already exists"),
        (["--village", A, "--role", "county_reviewer"], "invalid choice"),
    ],
)
async def test_cli_refusals_write_nothing(
    county: County, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    data = str(county.office.settings.data_dir)
    status, output = cli(capsys, "enrol", "issue", *args, "--data", data)
    assert status == 2, output
    assert output.startswith("certhub: error:"), output
    assert message in output
    assert not (county.office.settings.data_dir / "enrolment-codes.json").exists()


async def test_trust_add_and_token_issue_take_an_area(
    county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = county.office.settings.data_dir.parent / "keys"
    assert cli(capsys, "keys", "new", "--sender", "auditor", "--out", str(folder))[0] == 0
    data = str(county.office.settings.data_dir)
    jwk = str(folder / "auditor.jwk.json")
    add = ["trust", "add", jwk, "--sender", "auditor", "--may-read", "--data", data]
    status, output = cli(capsys, *add, "--area", "4401")
    assert status == 2, output  # not a region code
    assert cli(capsys, *add, "--area", "440100")[0] == 0
    store = TrustStore.load(county.office.settings.trust_store_path)
    (auditor,) = [entry for entry in store if entry.sender == "auditor"]
    assert auditor.area is not None
    assert auditor.area.prefix == "4401"
    raw = json.loads(county.office.settings.trust_store_path.read_text())
    members = {k["certhub"]["sender"]: k["certhub"] for k in raw["keys"]}
    assert members["auditor"]["area"] == "440100"
    assert "area" not in members["city"]  # unscoped keys are written as older hubs read them
    key = str(folder / "auditor.key.pem")
    status, token = cli(capsys, "token", "issue", "--key", key, "--sender", "auditor", "--area", A)
    assert status == 0, token
    claims = json.loads(b64url_decode(token.strip().split(".")[1]))
    assert claims["area"] == A
