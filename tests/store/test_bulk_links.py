"""A bulk's audit links are the chain's own: the written-out fast form hashes alike.

:func:`certhub.hub.store.bulk_append._link` writes a link's JSON directly when
no field needs escaping; every link must still be what
:meth:`~certhub.hub.store.audit_chain.AuditChain.next` gives, and the chain must
verify, whatever the fields hold.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from certhub.hub.store import bulk_append
from certhub.hub.store.audit_chain import AuditChain, AuditEntry, first_broken

FIELDS = st.tuples(*[st.text(max_size=12)] * 5)
PLAIN = ("2026-12-06T13:49:03.123456+00:00", "message_accepted", "41", "adapter:comparison")


@given(st.lists(FIELDS, min_size=1, max_size=6))
def test_every_link_is_the_chains_own(links: list[tuple[str, ...]]) -> None:
    fast, reference = AuditChain(7, "ab" * 32), AuditChain(7, "ab" * 32)
    rows = [bulk_append._link(fast, *fields) for fields in links]
    expected = [reference.next(*fields) for fields in links]
    assert [AuditEntry(*row) for row in rows] == expected  # type: ignore[arg-type]
    assert (fast.seq, fast.head) == (reference.seq, reference.head)


def test_a_link_needing_escapes_hashes_as_the_chain_does() -> None:
    for odd in ('say "hi"', "back\\slash", "new\nline", "tab\t", "del\x7f", "line\u2028sep"):
        fast, reference = AuditChain(), AuditChain()
        row = bulk_append._link(fast, *PLAIN, odd)
        assert AuditEntry(*row) == reference.next(*PLAIN, odd)  # type: ignore[arg-type]


def test_a_bulks_chain_verifies() -> None:
    chain = AuditChain()
    rows = [
        bulk_append._link(chain, *PLAIN[:2], str(n), "中文 actor", f"{n:064x}") for n in range(50)
    ]
    entries = [AuditEntry(*row) for row in rows]  # type: ignore[arg-type]
    assert first_broken(entries) is None
    assert entries[0].prev_hash == "0" * 64
    assert entries[-1].hash == chain.head
