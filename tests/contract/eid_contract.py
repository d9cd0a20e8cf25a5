"""The e-ID licence service contract, written once, run against the mock and real endpoints.

Subclasses provide ``adapter`` (an :class:`~certhub.adapters.eid.EidAdapter`) and
``people`` (an :class:`EidSample` of persons the endpoint knows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from certhub.adapters import (
    CancellationReason,
    CircuitState,
    DepartmentUnavailable,
    IdentityVerdict,
    PersonCheck,
    UnsafePayload,
)
from certhub.adapters.eid import EidAdapter

from .faults_contract import Call, FaultContract, always, refused_at_once
from .support import FaultControl


@dataclass(frozen=True)
class Known:
    """A person the endpoint knows: ID number, name, registered photo."""

    id_number: str
    name: str
    photo: bytes


@dataclass(frozen=True)
class EidSample:
    """Known persons per status and, for the mock, the expected cancellations."""

    valid: Known
    revoked: Known
    deceased: Known
    since: date
    cancellations: list[dict[str, Any]] | None = None

    def check(
        self, who: Known, *, name: str | None = None, photo: bytes | None = None
    ) -> PersonCheck:
        """A person check for ``who``, optionally with a wrong name or photo."""
        return PersonCheck(
            id_number=who.id_number,
            name=name or who.name,
            photo_jpeg=photo or who.photo,
            request_id="req-" + who.id_number[-6:],
        )


class EidContract:
    """Happy paths and the translation of every field."""

    async def test_matching_person(self, adapter: EidAdapter, people: EidSample) -> None:
        check = people.check(people.valid)
        result = await adapter.verify_person(check)
        assert result.verdict is IdentityVerdict.match
        assert result.request_id == check.request_id
        assert result.similarity is not None
        assert result.similarity >= 0.8
        assert result.checked_at.tzinfo is not None
        assert result.licence_id
        assert result.date_of_death is None

    async def test_other_photo_is_a_mismatch(self, adapter: EidAdapter, people: EidSample) -> None:
        result = await adapter.verify_person(people.check(people.valid, photo=people.revoked.photo))
        assert result.verdict is IdentityVerdict.mismatch

    async def test_other_name_is_a_mismatch(self, adapter: EidAdapter, people: EidSample) -> None:
        result = await adapter.verify_person(people.check(people.valid, name="欧阳·不是本人"))
        assert result.verdict is IdentityVerdict.mismatch

    async def test_revoked_licence(self, adapter: EidAdapter, people: EidSample) -> None:
        result = await adapter.verify_person(people.check(people.revoked))
        assert result.verdict is IdentityVerdict.licence_revoked

    async def test_deceased_carries_date_of_death(
        self, adapter: EidAdapter, people: EidSample
    ) -> None:
        result = await adapter.verify_person(people.check(people.deceased))
        assert result.verdict is IdentityVerdict.deceased
        assert result.date_of_death is not None
        assert result.date_of_death <= date.today()

    async def test_cancellations_paged_and_translated(
        self, adapter: EidAdapter, people: EidSample
    ) -> None:
        seen, token = [], None
        while True:
            page = await adapter.cancellations_since(people.since, page=token)
            assert len(page.items) <= adapter.page_size
            seen.extend(page.items)
            if page.next_page is None:
                break
            token = page.next_page
        assert all(item.cancelled_on >= people.since for item in seen)
        assert len({(item.id_number, item.cancelled_on) for item in seen}) == len(seen)
        assert {item.reason for item in seen} <= set(CancellationReason)
        if people.cancellations is not None:
            assert [item.model_dump(mode="json") for item in seen] == people.cancellations

    async def test_repr_masks_the_id_number(self, people: EidSample) -> None:
        check = people.check(people.valid)
        assert people.valid.id_number not in repr(check)


class EidFaultContract(FaultContract):
    """The generic faults plus SOAP's own: faults, DTDs, external entities."""

    operation = "verify_person"

    @pytest.fixture
    def call(self, adapter: EidAdapter, people: EidSample) -> Call:
        """One person check."""
        return lambda: adapter.verify_person(people.check(people.valid))

    @pytest.mark.parametrize("kind", ["dtd", "external_entity"])
    async def test_xml_declarations_are_refused_never_retried(
        self, adapter: EidAdapter, faults: FaultControl, call: Call, kind: str
    ) -> None:
        await refused_at_once(faults, call, kind, UnsafePayload)

    async def test_soap_server_fault_keeps_its_cause(
        self, adapter: EidAdapter, faults: FaultControl, call: Call
    ) -> None:
        unavailable = await always(faults, call, "error", DepartmentUnavailable)
        assert type(unavailable.__cause__).__module__.startswith("zeep")
        assert adapter.policy.breaker.state is CircuitState.open
