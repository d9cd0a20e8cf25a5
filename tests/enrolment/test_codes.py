"""The codes file and the guessing bound, on a clock the test moves."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from certhub.hub.enrolment import CodeBook, FailureLimiter, normalise_code
from certhub.hub.enrolment.codes import CodeRecord
from certhub.hub.problems import Problem
from certhub.security import SigningKey, TrustedKey, TrustStore, trust_add, trust_bind
from certhub.security import parse_area as area

VILLAGE = "445302001201"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A settable time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def book(tmp_path: Path, clock: Clock) -> CodeBook:
    return CodeBook(tmp_path / "codes.json", tmp_path / "secrets" / "enrolment.key", clock=clock)


def bind_to(store: Path) -> Callable[[CodeRecord], TrustedKey]:
    """What the hub does with a good code: trust a fresh key for the code's sender."""

    def bind(record: CodeRecord) -> TrustedKey:
        return trust_bind(
            store,
            SigningKey.generate().public_jwk(),
            sender=record.sender,
            may_send=[],
            role="coordinator",
            area=area(VILLAGE),
            not_after=None,
        )

    return bind


def digits(code: str) -> str:
    """The 12 digits of a displayed code."""
    typed = normalise_code(code)
    assert typed is not None
    return typed


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("1234-5678-9012", "123456789012"), ("1234 5678 9012", "123456789012"),
     ("123456789012", "123456789012"), ("12345678901", None), ("1234567890123", None),
     ("1234-5678-901x", None), ("１２３４５６７８９０１２", None), ("", None), (None, None),
     ("1" * 12 + "-" * 13, None)],
)  # fmt: skip
def test_a_code_is_twelve_ascii_digits_spaces_and_hyphens_aside(
    typed: object, digits: str | None
) -> None:
    assert normalise_code(typed) == digits


def test_a_code_lives_its_hours_to_the_microsecond(tmp_path: Path) -> None:
    clock = Clock(T0)
    codes = book(tmp_path, clock)
    early = codes.issue(village=VILLAGE, role="coordinator", sender=None, hours=24, issued_by="t")
    late = codes.issue(village=VILLAGE, role="coordinator", sender=None, hours=24, issued_by="t")
    assert early.expires_at == T0 + timedelta(hours=24)
    store = tmp_path / "trust.json"
    clock.now = T0 + timedelta(hours=24) - timedelta(microseconds=1)
    assert codes.redeem(digits(early.code), bind_to(store)).sender == early.sender
    clock.now = T0 + timedelta(hours=24)
    with pytest.raises(Problem) as refused:
        codes.redeem(digits(late.code), bind_to(store))
    assert refused.value.slug == "enrolment-code-invalid"
    assert [entry.sender for entry in TrustStore.load(store)] == [early.sender]


def test_the_file_keeps_only_a_keyed_mac_and_forgets_after_a_week(tmp_path: Path) -> None:
    clock = Clock(T0)
    codes = book(tmp_path, clock)
    issued = codes.issue(village=VILLAGE, role="coordinator", sender="coord-1", hours=1,
                         issued_by="county-x", request="county-x:m1")  # fmt: skip
    text = (tmp_path / "codes.json").read_text()
    assert normalise_code(issued.code) not in text
    assert (tmp_path / "codes.json").stat().st_mode & 0o777 == 0o600
    (record,) = json.loads(text)["codes"]
    assert (record["sender"], record["request"], record["used_at"]) == (
        "coord-1",
        "county-x:m1",
        None,
    )
    # Another secret file: the same code no longer matches (a copied codes file is useless).
    other = CodeBook(tmp_path / "codes.json", tmp_path / "other.key", clock=clock)
    with pytest.raises(Problem):
        other.redeem(digits(issued.code), bind_to(tmp_path / "t.json"))
    with pytest.raises(Problem) as replayed:
        codes.issue(village=VILLAGE, role="coordinator", sender=None, hours=1, issued_by="county-x",
                    request="county-x:m1")  # fmt: skip
    assert replayed.value.slug == "replay"
    with pytest.raises(Problem) as taken:
        codes.issue(village=VILLAGE, role="coordinator", sender="coord-1", hours=1, issued_by="x")
    assert taken.value.slug == "enrolment-request-invalid"
    clock.now = T0 + timedelta(hours=1) + timedelta(days=7)
    codes.issue(village=VILLAGE, role="coordinator", sender=None, hours=1, issued_by="x")
    senders = [r.sender for r in codes.records()]
    assert len(senders) == 1
    assert "coord-1" not in senders


def test_failed_codes_are_bounded_per_client_and_overall() -> None:
    now = [0.0]
    limiter = FailureLimiter(per_client=3, overall=5, window=60, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("10.0.0.1")
        limiter.failed("10.0.0.1")
    with pytest.raises(Problem) as refused:
        limiter.check("10.0.0.1")
    assert refused.value.slug == "enrolment-rate-limited"
    assert refused.value.headers["Retry-After"] == "60"
    limiter.check("10.0.0.2")  # another client is not held up by the first
    limiter.failed("10.0.0.2")
    limiter.failed("10.0.0.3")
    with pytest.raises(Problem):  # five failures overall: everyone waits
        limiter.check("10.0.0.4")
    now[0] = 59.5
    with pytest.raises(Problem) as still:
        limiter.check("10.0.0.4")
    assert still.value.headers["Retry-After"] == "1"
    now[0] = 60.0  # the first three leave the window
    limiter.check("10.0.0.1")
    limiter.check("10.0.0.4")


def test_the_limiter_never_holds_more_than_the_overall_bound() -> None:
    limiter = FailureLimiter(per_client=10, overall=100, window=600, clock=lambda: 1.0)
    for n in range(10_000):
        limiter.failed(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert len(limiter._all) == 100  # the bound is the point
    assert sum(limiter._by_client.values()) == 100


def test_concurrent_writers_of_the_trust_store_lose_nothing(tmp_path: Path) -> None:
    store = tmp_path / "trust.jwks.json"
    jwk_files = []
    for n in range(12):
        key = SigningKey.generate()
        path = tmp_path / f"k{n}.jwk.json"
        path.write_text(json.dumps(key.public_jwk()))
        jwk_files.append(path)

    def add(n: int) -> None:
        if n % 2:
            trust_add(
                store, jwk_files[n], sender=f"s{n}", may_send=["zero_report/v1"], may_read=False
            )
        else:
            jwk = json.loads(jwk_files[n].read_text())
            trust_bind(store, jwk, sender=f"s{n}", may_send=[], role="coordinator",
                       area=area(VILLAGE), not_after=None)  # fmt: skip

    threads = [threading.Thread(target=add, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(entry.sender for entry in TrustStore.load(store)) == sorted(
        f"s{n}" for n in range(12)
    )
