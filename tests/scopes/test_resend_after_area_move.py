"""A message already in the ledger, re-sent after its key moved to another area, gets its
receipt back; nothing else the move forbids gets through.

coord-a's phone (village A) files a report: 202 and a receipt. The network drops the
answer, and before the phone re-sends, the county moves the key to village B
(``certhub trust add … --area B``, the hub reloads its trust store). The very same
signed bytes are the message the ledger already holds, signed by that sender's
trusted key: the exchange's idempotency contract gives the original receipt again
(``"duplicate": true``, nothing stored), as for any re-send. Before, the area was
checked first and the re-send was ``area-not-permitted``, so the phone never learned
its report had arrived. A new message about A, or other bytes under the same id, stay
refused; a revoked key proves nothing and gets ``key-revoked``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from procedurekit import JOSE, Office
from scopekit import A, B, X

from certhub.hub.cli.main import main
from certhub.hub.core.keys import TRUST
from certhub.schemas import problem_type_uri
from certhub.security import sign_compact


def report(office: Office, village: str) -> dict[str, Any]:
    """A missing-person report coord-a collected in ``village`` about someone registered there."""
    region = {"county": X, "village": village}
    return office.people.eligibility_report() | {
        "reason": "missing",
        "person": office.people.person() | {"region": region},
        "region": region,
        "reporter": {"id": "coord-a", "role": "coordinator"},
    }


def signed(office: Office, payload: dict[str, Any], jti: str) -> bytes:
    """``payload`` signed by coord-a's key under message id ``jti``."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    key = office.keys["coord-a"]
    return sign_compact(body, key=key, typ=payload["type"], sender="coord-a", jti=jti)


async def push(office: Office, raw: bytes) -> tuple[int, dict[str, Any]]:
    """POST ``raw`` to ``/v1/reports``; (status, JSON body)."""
    response = await office.client.post("/v1/reports", data=raw, headers=JOSE)
    return response.status, await response.json(content_type=None)


async def trust(office: Office, tmp_path: Path, *argv: str) -> None:
    """Run ``certhub trust …`` on the hub's trust store file, and have the hub reload it (as
    its watcher does within ``CERTHUB_TRUST_RELOAD_SECONDS``)."""
    assert main(["trust", *argv, "--store", str(office.settings.trust_store_path)]) == 0
    assert await office.client.app[TRUST].refresh()


async def move_to_b(office: Office, tmp_path: Path) -> None:
    """The county moves coord-a's key from village A to village B, rights unchanged."""
    jwk = tmp_path / "coord-a.jwk.json"
    jwk.write_text(json.dumps(office.keys["coord-a"].public_jwk()), encoding="utf-8")
    rights = ["--may-send", "eligibility_report/v1,zero_report/v1", "--may-read"]
    await trust(office, tmp_path, "add", str(jwk), "--sender", "coord-a", *rights, "--area", B)


async def test_a_resend_after_the_key_moved_gets_its_receipt(
    office: Office, tmp_path: Path
) -> None:
    first = signed(office, report(office, A), "lost-answer")
    status, accepted = await push(office, first)
    assert (status, accepted["duplicate"]) == (202, False), accepted
    await move_to_b(office, tmp_path)
    before = await office.ledger_size()

    status, again = await push(office, first)  # the answer was lost: the very same bytes

    assert (status, again) == (202, accepted | {"duplicate": True})
    assert await office.ledger_size() == before


async def test_what_the_move_forbids_stays_refused(office: Office, tmp_path: Path) -> None:
    first = signed(office, report(office, A), "lost-answer")
    status, accepted = await push(office, first)
    assert status == 202, accepted
    await move_to_b(office, tmp_path)
    before = await office.ledger_size()
    refused = [
        signed(office, report(office, A), "lost-answer"),  # other bytes, the same id, about A
        signed(office, report(office, A), "a-new-one"),  # a new message about A
    ]
    for raw in refused:
        status, problem = await push(office, raw)
        assert (status, problem["type"]) == (403, problem_type_uri("area-not-permitted"))
        assert "receipt" not in problem
    other_bytes_in_b = signed(office, report(office, B), "lost-answer")
    status, problem = await push(office, other_bytes_in_b)
    assert (status, problem["type"]) == (409, problem_type_uri("replay"))
    assert await office.ledger_size() == before


async def test_another_sender_reusing_the_id_gets_no_receipt(office: Office) -> None:
    """coord-b (village B) sends its own bytes about A under coord-a's message id: the id
    is per sender, and coord-a's receipt is nobody else's."""
    status, accepted = await push(office, signed(office, report(office, A), "shared-id"))
    assert status == 202, accepted
    payload = report(office, A) | {"reporter": {"id": "coord-b", "role": "coordinator"}}
    body = json.dumps(payload, ensure_ascii=False).encode()
    key = office.keys["coord-b"]
    raw = sign_compact(body, key=key, typ=payload["type"], sender="coord-b", jti="shared-id")
    before = await office.ledger_size()
    status, problem = await push(office, raw)
    assert (status, problem["type"]) == (403, problem_type_uri("area-not-permitted"))
    assert "receipt" not in problem
    assert await office.ledger_size() == before


async def test_a_revoked_key_resending_is_refused(office: Office, tmp_path: Path) -> None:
    first = signed(office, report(office, A), "lost-answer")
    status, accepted = await push(office, first)
    assert status == 202, accepted
    await trust(office, tmp_path, "revoke", office.keys["coord-a"].kid)
    status, problem = await push(office, first)
    assert (status, problem["type"]) == (401, problem_type_uri("key-revoked"))
    assert "receipt" not in problem
