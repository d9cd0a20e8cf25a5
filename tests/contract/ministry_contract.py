"""The ministry certification system contract, written once, run against mock and real.

Subclasses provide ``adapter`` (a :class:`~certhub.adapters.ministry.MinistryAdapter`),
``native`` (fetches a raw page with plain httpx, to check translation field
by field) and ``event`` (a Guangdong certification to push).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from certhub.adapters import CertificationPage, RequestRejected, ResponseInvalid, SignatureRejected
from certhub.adapters.ministry import MinistryAdapter
from certhub.schemas import CertificationEvent, CertificationMethod, ChannelKind

from .faults_contract import Call, FaultContract, refused_at_once
from .support import FaultControl

Native = Callable[[str | None, int], Awaitable[dict[str, Any]]]
_METHODS = {"01": "face", "02": "fingerprint", "03": "finger_vein"}
_CHANNELS = {"01": "national_platform", "02": "e_ssc", "03": "app_12333"}


def _expected(record: dict[str, Any]) -> dict[str, Any]:
    certified = record["rzjg"] == "1"
    evidence = [{"sha256": record["zpzy"], "kind": "onsite_photo", "media_type": "image/jpeg"}]
    return {
        "person": {"id_number": record["aac002"], "name": record["aac003"],
                   "region": {"county": record["aab301"], "village": None}},
        "method": _METHODS[record["rzfs"]],
        "channel": {"kind": _CHANNELS[record["rzqd"]], "code": record.get("sbbh")},
        "outcome": "certified" if certified else "failed",
        "occurred_at": datetime.fromisoformat(record["rzsj"]),
        "valid_until": record["yxqz"] if certified else None,
        "evidence": evidence if "zpzy" in record else [],
    }  # fmt: skip


class MinistryContract:
    """Pull by cursor into canonical events; push upward idempotently."""

    async def test_every_field_is_translated(
        self, adapter: MinistryAdapter, native: Native
    ) -> None:
        raw = await native(None, 20)
        page = await adapter.pull_certifications(None, limit=20)
        by_remark = {event.remarks: event for event in page.events}
        assert [f"部级认证记录 {rid}" for rid in page.record_ids] == list(by_remark)
        rejected = {item.record_id for item in page.rejected}
        for record in raw["records"]:
            if record["rzid"] in rejected:
                continue
            event = by_remark[f"部级认证记录 {record['rzid']}"]
            dumped = event.model_dump(mode="python")
            dumped["valid_until"] = event.valid_until.isoformat() if event.valid_until else None
            dumped["evidence"] = [item.model_dump(mode="json") for item in event.evidence]
            dumped["person"] = event.person.model_dump(mode="json")
            dumped["channel"] = event.channel.model_dump(mode="json")
            expected = _expected(record)
            assert {key: dumped[key] for key in expected} == expected
        assert page.next_cursor == raw["next_cursor"]
        assert page.has_more == raw["has_more"]

    async def test_paging_reaches_every_record_once(self, adapter: MinistryAdapter) -> None:
        cursor, seen = None, []
        for _ in range(100):
            page: CertificationPage = await adapter.pull_certifications(cursor, limit=25)
            seen += [event.remarks for event in page.events]
            seen += [f"部级认证记录 {item.record_id}" for item in page.rejected]
            cursor = page.next_cursor
            if not page.has_more:
                break
        assert len(seen) == len(set(seen)) > 25
        assert all(
            event.method in {CertificationMethod.face, CertificationMethod.fingerprint,
                             CertificationMethod.finger_vein}
            for event in page.events
        )  # fmt: skip
        assert {e.channel.kind for e in page.events} <= {
            ChannelKind.national_platform, ChannelKind.e_ssc, ChannelKind.app_12333
        }  # fmt: skip

    async def test_untranslatable_records_are_reported_not_dropped(
        self, adapter: MinistryAdapter
    ) -> None:
        page = await adapter.pull_certifications(None, limit=80)
        for item in page.rejected:
            assert not re.search(r"[0-9]{17}[0-9X]", item.reason)

    async def test_push_is_idempotent_by_delivery_id(
        self, adapter: MinistryAdapter, event: CertificationEvent
    ) -> None:
        delivery = f"gd-{uuid.uuid4().hex}"
        first = await adapter.push_certification(event, delivery_id=delivery)
        again = await adapter.push_certification(event, delivery_id=delivery)
        assert not first.duplicate
        assert again.duplicate
        assert again.ministry_id == first.ministry_id

    async def test_reusing_a_delivery_id_for_another_event_is_refused(
        self, adapter: MinistryAdapter, event: CertificationEvent
    ) -> None:
        delivery = f"gd-{uuid.uuid4().hex}"
        await adapter.push_certification(event, delivery_id=delivery)
        other = event.model_copy(update={"remarks": None, "valid_until": None})
        with pytest.raises(RequestRejected):
            await adapter.push_certification(other, delivery_id=delivery)


class MinistryFaultContract(FaultContract):
    """Generic faults on the pull, plus signatures and redelivery of pushes."""

    operation = "pull_certifications"

    @pytest.fixture
    def call(self, adapter: MinistryAdapter) -> Call:
        """Pull one small page."""
        return lambda: adapter.pull_certifications(None, limit=5)

    async def test_wrong_signature_is_refused_never_retried(
        self, faults: FaultControl, call: Call
    ) -> None:
        await refused_at_once(faults, call, "bad_signature", SignatureRejected)

    async def test_push_redelivered_after_a_lost_answer_takes_effect_once(
        self, adapter: MinistryAdapter, faults: FaultControl, event: CertificationEvent
    ) -> None:
        await faults.script("malformed")
        with pytest.raises(ResponseInvalid):
            await adapter.push_certification(event, delivery_id="gd-redelivery-1")
        receipt = await adapter.push_certification(event, delivery_id="gd-redelivery-1")
        assert receipt.duplicate
