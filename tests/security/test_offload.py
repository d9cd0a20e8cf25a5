"""The signature helper process: same verdicts and signatures as inline, in order, and a fallback.

Each test runs a real helper process. Where a test must show that an answer came
from the helper (not from the in-process fallback), inline crypto is made to fail.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable

import pytest

from certhub.security import (
    AlgorithmMismatch,
    KeyRevoked,
    MessageVerifier,
    SignatureInvalid,
    SigningKey,
    TrustStore,
    VerifyingKey,
    offload,
)
from certhub.security._compact import encode_compact, join_compact
from certhub.security.jws import parse_compact
from certhub.security.offload import HelperGone, SignatureHelper
from certhub.security.signature_wire import MAX_SIGNATURE, VERIFY_ED25519

from .conftest import NOW, PAYLOAD, REPORT, SENDER  # type: ignore[import-not-found]

DATA = b"eyJhbGciOiJFZERTQSJ9.eyJ0eXBlIjoiZWxpZ2liaWxpdHlfcmVwb3J0L3YxIn0"
WAIT = 10.0  # seconds: generous bound for anything that must not hang


@pytest.fixture
async def helper() -> AsyncIterator[SignatureHelper]:
    """A started helper, always closed afterwards."""
    helper = await SignatureHelper.start()
    try:
        yield helper
    finally:
        await helper.aclose()


def _forbid_inline_crypto(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make in-process signing and checking fail, so only the helper can answer."""

    def inline(*_: object) -> bool:
        raise AssertionError("signature arithmetic was done in-process, not in the helper")

    monkeypatch.setattr(VerifyingKey, "verify", inline)
    monkeypatch.setattr(SigningKey, "sign", inline)


async def _until(
    condition: Callable[[], bool], *, poke: Callable[[], object] | None = None
) -> None:
    """Wait until ``condition`` holds (calling and awaiting ``poke`` each round), at most WAIT."""
    async with asyncio.timeout(WAIT):
        while not condition():
            if poke is not None:
                result = poke()
                if asyncio.iscoroutine(result):
                    await result
            await asyncio.sleep(0.01)


def _cases(key: SigningKey) -> list[tuple[bytes, bytes, bool]]:
    """(signature, data, expected verdict): a good one and tampered ones."""
    signature = key.sign(DATA)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    other = key.sign(DATA + b".")
    return [
        (signature, DATA, True),
        (signature, DATA + b".", False),
        (signature, DATA[:-1], False),
        (flipped, DATA, False),
        (other, DATA, False),
        (signature[:-1], DATA, False),
        (signature + b"\x00", DATA, False),
        (b"", DATA, False),
        (bytes(64), DATA, False),
        (b"\xff" * 64, DATA, False),
    ]


async def _check_answers(
    helper: SignatureHelper, key: SigningKey, *, only_helper: pytest.MonkeyPatch | None = None
) -> None:
    """Verdicts and signatures from ``helper`` are right (with ``only_helper``: from the helper)."""
    public = key.verifying_key()
    cases = _cases(key)
    inputs = [DATA, b"", b"x" * 3000]
    if only_helper is not None:
        _forbid_inline_crypto(only_helper)
    async with asyncio.timeout(WAIT):
        verdicts = [await helper.verify(public, signature, data) for signature, data, _ in cases]
        signatures = await helper.sign_many(key, inputs)
    if only_helper is not None:
        only_helper.undo()
    assert verdicts == [expected for _, _, expected in cases]
    assert [public.verify(s, d) for s, d in zip(signatures, inputs, strict=True)] == [True] * 3
    assert not public.verify(signatures[0], b"")


# -- verdicts ------------------------------------------------------------------


async def test_helper_verdicts_equal_inline_verdicts(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = sender_key.verifying_key()
    cases = _cases(sender_key)
    assert [public.verify(signature, data) for signature, data, _ in cases] == [
        expected for _, _, expected in cases
    ]
    _forbid_inline_crypto(monkeypatch)
    verdicts = [await helper.verify(public, signature, data) for signature, data, _ in cases]
    assert verdicts == [expected for _, _, expected in cases]
    assert helper.running


async def test_a_signature_checked_against_another_key_fails_in_the_helper(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = SigningKey.generate(sender_key.alg).verifying_key()
    other_alg = SigningKey.generate("ES256" if sender_key.alg == "EdDSA" else "EdDSA")
    signature = sender_key.sign(DATA)
    _forbid_inline_crypto(monkeypatch)
    assert not await helper.verify(stranger, signature, DATA)
    assert not await helper.verify(other_alg.verifying_key(), signature, DATA)
    assert await helper.verify(sender_key.verifying_key(), signature, DATA)


async def test_concurrent_verifies_each_get_their_own_verdict(
    helper: SignatureHelper, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [SigningKey.generate("EdDSA"), SigningKey.generate("ES256")]
    publics = [key.verifying_key() for key in keys]
    requests: list[tuple[VerifyingKey, bytes, bytes]] = []
    for i in range(300):
        key = keys[i % 2]
        data = f"message {i}".encode()
        signature = key.sign(data if i % 3 else f"message {i + 1}".encode())  # every third: wrong
        public = publics[(i // 7) % 2]  # runs of seven with the other key
        requests.append((public, signature, data))
    expected = [public.verify(signature, data) for public, signature, data in requests]
    assert 50 < sum(expected) < 250
    _forbid_inline_crypto(monkeypatch)
    tasks = []
    for start in range(0, len(requests), 40):  # some batches fill while one is in flight
        tasks += [
            asyncio.create_task(helper.verify(*request)) for request in requests[start : start + 40]
        ]
        await asyncio.sleep(0)
    async with asyncio.timeout(WAIT):
        assert await asyncio.gather(*tasks) == expected


async def test_an_oversized_signature_is_refused_and_does_not_stall_the_helper(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = sender_key.verifying_key()
    good = sender_key.sign(DATA)
    assert not public.verify(good + bytes(MAX_SIGNATURE), DATA)
    _forbid_inline_crypto(monkeypatch)  # refused outright; its neighbour still goes to the helper
    async with asyncio.timeout(WAIT):
        oversized = helper.verify(public, good + bytes(MAX_SIGNATURE), DATA)
        neighbour = helper.verify(public, good, DATA)  # same batch
        assert list(await asyncio.gather(oversized, neighbour)) == [False, True]
        assert await helper.verify(public, good, DATA)
    assert helper.running


async def test_a_batch_that_cannot_be_encoded_falls_back_instead_of_stalling(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Below the public API (verify refuses such signatures before they are queued): an
    # unencodable batch must fail its callers, not block every later batch.
    public = sender_key.verifying_key()
    good = sender_key.sign(DATA)
    async with asyncio.timeout(WAIT):
        with pytest.raises(HelperGone):
            await helper._submit([(VERIFY_ED25519, bytes(32), b"s" * (MAX_SIGNATURE + 1), DATA)])
        _forbid_inline_crypto(monkeypatch)  # what follows is answered by the helper
        assert await helper.verify(public, good, DATA)
        assert not await helper.verify(public, good, DATA + b"!")
    assert helper.running


# -- signing -------------------------------------------------------------------


async def test_sign_many_signs_each_input_in_order(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = [DATA, b"", b"\x00" * 5000, *(f"receipt {i}".encode() for i in range(40))]
    public = sender_key.verifying_key()
    inline = [sender_key.sign(data) for data in inputs]
    _forbid_inline_crypto(monkeypatch)
    signatures = await helper.sign_many(sender_key, inputs)
    monkeypatch.undo()
    assert len(signatures) == len(inputs)
    assert all(len(signature) == 64 for signature in signatures)
    assert all(public.verify(s, d) for s, d in zip(signatures, inputs, strict=True))
    shifted = inputs[1:] + inputs[:1]
    assert not any(public.verify(s, d) for s, d in zip(signatures, shifted, strict=True))
    if sender_key.alg == "EdDSA":
        assert signatures == inline  # Ed25519 is deterministic
    else:
        assert signatures != inline  # ECDSA is randomised: fresh signatures, not copies


async def test_sign_many_of_nothing_is_nothing(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    _forbid_inline_crypto(monkeypatch)
    assert await helper.sign_many(sender_key, []) == []


async def test_verifies_and_signatures_share_batches(
    helper: SignatureHelper, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = SigningKey.generate("EdDSA")
    public = key.verifying_key()
    inputs = [f"r{i}".encode() for i in range(5)]
    expected = [key.sign(data) for data in inputs]
    good = key.sign(DATA)
    _forbid_inline_crypto(monkeypatch)
    async with asyncio.timeout(WAIT):
        results = await asyncio.gather(
            helper.verify(public, good, DATA),
            helper.sign_many(key, inputs),
            helper.verify(public, good, DATA + b"!"),
            helper.sign_many(key, inputs[::-1]),
        )
    assert list(results) == [True, expected, False, expected[::-1]]


# -- the message verifier --------------------------------------------------------


async def test_verify_on_accepts_a_good_message(
    helper: SignatureHelper,
    verifier: MessageVerifier,
    signed: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = signed(jti="m-1")
    _forbid_inline_crypto(monkeypatch)
    message = await verifier.verify_on(helper, raw, allowed_types=[REPORT])
    assert (message.sender, message.typ, message.jti, message.payload) == (
        SENDER,
        REPORT,
        "m-1",
        PAYLOAD,
    )
    assert message.raw == raw


@pytest.mark.parametrize("oversized", [False, True], ids=["wrong", "oversized"])
async def test_verify_on_refuses_a_bad_signature_as_inline(
    helper: SignatureHelper,
    verifier: MessageVerifier,
    signed: Callable[..., bytes],
    sender_key: SigningKey,
    oversized: bool,
) -> None:
    jws = parse_compact(signed())
    bad = bytes(MAX_SIGNATURE + 1) if oversized else sender_key.sign(jws.signing_input + b"x")
    raw = join_compact(jws.signing_input, bad)
    with pytest.raises(SignatureInvalid):
        verifier.verify(raw)
    async with asyncio.timeout(WAIT):
        with pytest.raises(SignatureInvalid):
            await verifier.verify_on(helper, raw)
        assert (await verifier.verify_on(helper, signed())).payload == PAYLOAD


async def test_verify_on_refuses_revoked_and_mismatched_keys(
    helper: SignatureHelper, store: TrustStore, sender_key: SigningKey, signed: Callable[..., bytes]
) -> None:
    revoked = MessageVerifier(store.revoke(sender_key.kid), clock=lambda: NOW)
    with pytest.raises(KeyRevoked):
        await revoked.verify_on(helper, signed())
    jws = parse_compact(signed())
    header = dict(jws.header)
    header["alg"] = "ES256" if sender_key.alg == "EdDSA" else "EdDSA"
    forged = encode_compact(header, jws.payload, SigningKey.generate(header["alg"]))
    verifier = MessageVerifier(store, clock=lambda: NOW)
    with pytest.raises(AlgorithmMismatch):
        verifier.verify(forged)
    with pytest.raises(AlgorithmMismatch):
        await verifier.verify_on(helper, forged)


# -- the helper process ending ---------------------------------------------------


async def _kill(helper: SignatureHelper) -> None:
    process = helper._process
    assert process is not None
    assert process.returncode is None
    process.kill()
    await process.wait()
    await _until(lambda: not helper.running)


async def test_a_killed_helper_falls_back_to_inline_until_the_pause_ends(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "RESTART_PAUSE", 3600.0)
    assert helper.running
    await _kill(helper)
    await _check_answers(helper, sender_key)
    await asyncio.sleep(0.2)
    assert not helper.running  # no restart within the pause


async def test_checks_in_flight_when_the_helper_dies_still_get_verdicts(
    helper: SignatureHelper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "RESTART_PAUSE", 3600.0)
    key = SigningKey.generate("ES256")  # slow enough that the batch is still being worked on
    public = key.verifying_key()
    requests = [(key.sign(f"m{i}".encode()), f"m{i + i % 2}".encode()) for i in range(1500)]
    expected = [i % 2 == 0 for i in range(1500)]
    tasks = [
        asyncio.create_task(helper.verify(public, signature, data)) for signature, data in requests
    ]
    await asyncio.sleep(0.01)  # the batch is written; the helper needs far longer for it
    assert helper._in_flight  # so the kill lands while the helper is working on it
    await _kill(helper)
    async with asyncio.timeout(WAIT):
        assert await asyncio.gather(*tasks) == expected


async def test_a_killed_helper_is_replaced_after_the_pause(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "RESTART_PAUSE", 0.5)
    first = helper._process
    assert first is not None
    await _kill(helper)
    public = sender_key.verifying_key()
    assert await helper.verify(public, sender_key.sign(DATA), DATA)  # on the loop meanwhile
    await _until(lambda: helper.running)  # no traffic needed: the pause alone brings it back
    second = helper._process
    assert second is not None
    assert second is not first
    assert second.returncode is None
    assert second.pid != first.pid
    with monkeypatch.context() as inline:
        await _check_answers(helper, sender_key, only_helper=inline)
    assert helper._process is second
    assert helper.running


async def test_a_hung_helper_is_replaced_and_its_checks_answered_here(
    helper: SignatureHelper, sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "ANSWER_TIMEOUT", 0.3)
    monkeypatch.setattr(offload, "RESTART_PAUSE", 3600.0)
    hung = helper._process
    assert hung is not None
    hung.send_signal(signal.SIGSTOP)  # alive, holding its socket, answering nothing
    public = sender_key.verifying_key()
    good = sender_key.sign(DATA)
    async with asyncio.timeout(WAIT):
        verdicts = await asyncio.gather(
            helper.verify(public, good, DATA), helper.verify(public, good, DATA + b".")
        )
    assert verdicts == [True, False]
    assert not helper.running
    async with asyncio.timeout(WAIT):
        assert await hung.wait() == -signal.SIGKILL  # the hung process is not left behind


# -- closing -------------------------------------------------------------------


async def test_after_aclose_the_process_has_exited_and_calls_fall_back(
    sender_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload, "RESTART_PAUSE", 0.0)
    helper = await SignatureHelper.start()
    process = helper._process
    assert process is not None
    try:
        assert process.returncode is None
    finally:
        await helper.aclose()
    assert process.returncode is not None
    assert not helper.running
    await _check_answers(helper, sender_key)
    await asyncio.sleep(0.3)
    assert not helper.running  # a closed helper is not restarted
    await helper.aclose()  # closing twice is harmless


async def test_checks_pending_at_aclose_still_get_verdicts(sender_key: SigningKey) -> None:
    helper = await SignatureHelper.start()
    try:
        public = sender_key.verifying_key()
        good = sender_key.sign(DATA)
        tasks = [
            asyncio.create_task(helper.verify(public, good, DATA + (b"" if i % 2 else b"!")))
            for i in range(200)
        ]
        await asyncio.sleep(0)
    finally:
        await helper.aclose()
    async with asyncio.timeout(WAIT):
        assert await asyncio.gather(*tasks) == [i % 2 == 1 for i in range(200)]
