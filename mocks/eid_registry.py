"""The e-ID mock's data: people with licences, their photos, and cancelled registrations.

Built from :class:`certhub.mocks.population.Population` so ID numbers, regions and
names are realistic and a seed reproduces everything. Face comparison is
stood in for by comparing the on-site photo with the registered one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from certhub.schemas.clock import CHINA_STANDARD_TIME

from .photos import jpeg_photo
from .population import Population

__all__ = ["Cancellation", "EidPerson", "EidRegistry"]

Status = Literal["valid", "revoked", "deceased"]
_AUTHORITIES = ("派出所户籍室", "公安分局户政科", "公安局人口管理支队")


@dataclass(frozen=True)
class EidPerson:
    """One person known to the e-ID service."""

    id_number: str
    name: str
    county: str
    status: Status
    photo: bytes
    licence_id: str
    death_date: date | None = None


@dataclass(frozen=True)
class Cancellation:
    """One household-registration cancellation with its native reason code."""

    id_number: str
    name: str
    reason: str
    cancelled_on: date
    county: str
    authority: str


class EidRegistry:
    """Seeded people and cancellations; every tenth person revoked, every tenth deceased."""

    def __init__(self, seed: int = 2026, *, size: int = 60, today: date | None = None) -> None:
        population = Population(seed, today=today)
        self.today = population.today
        self.people: dict[str, EidPerson] = {}
        self.cancellations: list[Cancellation] = []
        for index in range(size):
            self._add(population, index)
        self.cancellations.sort(key=lambda item: (item.cancelled_on, item.id_number))

    def _add(self, population: Population, index: int) -> None:
        raw = population.person()
        statuses: dict[int, Status] = {7: "revoked", 9: "deceased"}
        status: Status = statuses.get(index % 10, "valid")
        died = self.today - timedelta(days=population.rng.randint(1, 300))
        person = EidPerson(
            id_number=raw["id_number"],
            name=raw["name"],
            county=raw["region"]["county"],
            status=status,
            photo=jpeg_photo(raw["id_number"]),
            licence_id=f"GDEID{hashlib.sha256(raw['id_number'].encode()).hexdigest()[:16]}",
            death_date=died if status == "deceased" else None,
        )
        self.people[person.id_number] = person
        reason = "01" if status == "deceased" else ("02", "03", "04", "99")[index % 4]
        if status == "deceased" or index % 15 == 4:
            authority = population.rng.choice(_AUTHORITIES)
            self.cancellations.append(
                Cancellation(person.id_number, person.name, reason, died, person.county, authority)
            )

    def checked_at(self) -> str:
        """Now, as the service writes it: xsd:dateTime in China Standard Time."""
        return datetime.now(CHINA_STANDARD_TIME).isoformat(timespec="seconds")

    def first(self, status: Status) -> EidPerson:
        """The first person with ``status`` (for tests and demos)."""
        return next(person for person in self.people.values() if person.status == status)

    def verify(
        self, id_number: str, name: str, photo: bytes
    ) -> tuple[str, float, EidPerson | None]:
        """The native result code, similarity score and the person (if known)."""
        person = self.people.get(id_number)
        if person is None or person.name != name:
            return "MISMATCH", 0.0, person
        similarity = 0.9731 if photo == person.photo else 0.1245
        if person.status == "deceased":
            return "DECEASED", similarity, person
        if person.status == "revoked":
            return "REVOKED", similarity, person
        return ("MATCH" if similarity > 0.8 else "MISMATCH"), similarity, person

    def cancellations_since(
        self, since: date, token: str | None, size: int
    ) -> tuple[list[Cancellation], str | None]:
        """One page of cancellations on or after ``since``; the token is an offset."""
        matching = [item for item in self.cancellations if item.cancelled_on >= since]
        start = int(token) if token and token.isdigit() else 0
        page = matching[start : start + size]
        end = start + len(page)
        return page, (str(end) if end < len(matching) else None)
