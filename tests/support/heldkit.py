"""Test kit for certifications of a person whose death the hub confirmed (held): a
home-visit certification approved, and whether its SMS and uplink were queued."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evidence_samples import png
from procedurekit import Office, counter_event

from certhub.hub.core.keys import STORE
from certhub.hub.procedure.uplink import uplink_delivery_id
from certhub.security import SigningKey


def ministry_uplink(folder: Path) -> dict[str, Any]:
    """Settings of a ministry playing the uplink role, on a port nobody listens on (its
    deliveries wait in the outbox, where a test reads them); its key written in ``folder``."""
    key = folder / "ministry.jwk.json"
    key.write_text(json.dumps(SigningKey.generate().public_jwk()), encoding="utf-8")
    ministry = {"base_url": "http://127.0.0.1:9", "department_key_path": str(key)}
    return {"adapters": {"ministry": ministry}, "ministry_pull_seconds": 0}


async def home_visit_event(office: Office, person: dict[str, Any]) -> dict[str, Any]:
    """A coordinator's home-visit certification of ``person`` (relayed by the channel, with
    an ID image and on-site photo of the person's own, uploaded to ``office``)."""
    name = person["id_number"]
    pictures = (png(100, f"ID card {name}"), png(200, f"on-site photo {name}"))
    digests = [await office.upload(picture, "image/png") for picture in pictures]
    return counter_event(person, *digests) | {
        "method": "home_visit",
        "channel": {"kind": "home_visit", "code": "440103001201"},
    }


async def home_visit(office: Office, person: dict[str, Any]) -> int:
    """:func:`home_visit_event` of ``person``, accepted by town staff and approved by the
    county: its item."""
    event = await home_visit_event(office, person)
    return await office.approved("certifications", "channel", event)


async def notice_queued(office: Office, item: int) -> bool:
    """Whether certification ``item``'s "certification passed" SMS is in the outbox."""
    return await office.client.app[STORE].get_outbox(f"certification:{item}") is not None


async def uplinked(office: Office, item: int) -> bool:
    """Whether certification ``item`` was queued upward to the ministry."""
    store = office.client.app[STORE]
    record = await store.get_record(item)
    assert record is not None
    return await store.get_outbox(uplink_delivery_id(record.sender, record.message_id)) is not None


async def held_task(office: Office, number: str) -> dict[str, Any]:
    """The open death task the held certification of the person ``number`` opened."""
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    (task,) = [t for t in page["items"] if t["person"]["id_number"] == number]
    assert task["kind"] == "death", task
    return dict(task)
