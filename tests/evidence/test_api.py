"""Evidence through the real HTTP API: upload, download, and every refusal."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from evidence_samples import (
    SAMPLES,
    elf_executable,
    jpeg,
    pdf,
    png,
    windows_executable,
)
from hubkit import Hub

from .conftest import (  # type: ignore[import-not-found]
    download,
    problem_slug,
    stored_blobs,
    upload,
    vault_of,
)

MEDIA_TYPES = sorted(SAMPLES)


def _content_digest(data: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
async def test_upload_and_download_round_trip(hub: Hub, media_type: str) -> None:
    data = SAMPLES[media_type]()
    digest = hashlib.sha256(data).hexdigest()
    digest_header = {"Content-Digest": _content_digest(data)}
    response, body = await upload(hub, data, media_type, headers=digest_header)
    assert response.status == 201
    assert body == {
        "sha256": digest,
        "media_type": media_type,
        "size": len(data),
        "href": f"/v1/evidence/{digest}",
    }
    assert response.headers["Location"] == body["href"]

    served = await download(hub, digest)
    assert served.status == 200
    assert await served.read() == data
    assert served.content_type == media_type
    assert served.headers["Cache-Control"] == "no-store"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["Repr-Digest"] == _content_digest(data)


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
async def test_the_file_on_disk_is_not_the_plaintext(hub: Hub, media_type: str) -> None:
    data = SAMPLES[media_type]()
    await upload(hub, data, media_type)
    [blob] = stored_blobs(hub)
    on_disk = blob.read_bytes()
    assert blob.name == hashlib.sha256(data).hexdigest()
    assert on_disk.startswith(b"CHEV1")
    assert data not in on_disk
    for note in (b"photo", b"scan", b"certificate"):
        assert note not in on_disk
    assert blob.stat().st_mode & 0o077 == 0


async def test_the_same_content_twice_is_stored_once(hub: Hub) -> None:
    data = pdf()
    first, first_body = await upload(hub, data, "application/pdf")
    again, again_body = await upload(hub, data, "application/pdf", party="other-city")
    assert (first.status, again.status) == (201, 200)
    assert again_body == first_body
    assert again.headers["Location"] == first.headers["Location"]
    assert len(stored_blobs(hub)) == 1


@pytest.mark.parametrize(
    ("data", "declared", "status", "slug"),
    [
        (pdf(), "image/jpeg", 415, "evidence-type-mismatch"),
        (png(), "application/pdf", 415, "evidence-type-mismatch"),
        (jpeg(), "application/octet-stream", 415, "evidence-type-mismatch"),
        (windows_executable(), "image/jpeg", 415, "evidence-unsupported"),
        (elf_executable(), "application/pdf", 415, "evidence-unsupported"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/pdf", 415, "evidence-unsupported"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "image/png", 415, "evidence-unsupported"),
        (b"", "image/png", 415, "evidence-unsupported"),
        (jpeg()[:-2], "image/jpeg", 400, "evidence-truncated"),
        (jpeg()[:60], "image/jpeg", 400, "evidence-truncated"),
        (png()[:-12], "image/png", 400, "evidence-truncated"),
        (png()[:20], "image/png", 400, "evidence-truncated"),
        (pdf()[: pdf().rindex(b"%%EOF")], "application/pdf", 400, "evidence-truncated"),
        (pdf()[:200], "application/pdf", 400, "evidence-truncated"),
    ],
    ids=[
        "pdf-as-jpeg",
        "png-as-pdf",
        "jpeg-as-octet-stream",
        "windows-exe",
        "elf",
        "zip",
        "html",
        "empty",
        "jpeg-no-eoi",
        "jpeg-half",
        "png-no-iend",
        "png-half",
        "pdf-no-eof",
        "pdf-half",
    ],
)
async def test_bad_content_is_refused_and_nothing_stored(
    hub: Hub, data: bytes, declared: str, status: int, slug: str
) -> None:
    response, body = await upload(hub, data, declared)
    assert (response.status, problem_slug(body)) == (status, slug)
    assert response.content_type == "application/problem+json"
    assert stored_blobs(hub) == []


@pytest.mark.parametrize(
    "header",
    [
        _content_digest(b"other bytes"),
        "sha-512=:" + base64.b64encode(b"\x00" * 64).decode() + ":",  # no sha-256 to check
        "sha-256=abc",
        "sha-256=:not base64!:",
        "sha-256=:" + base64.b64encode(b"\x00" * 16).decode() + ":",
    ],
    ids=["other-bytes", "sha512-only", "not-byte-sequence", "not-base64", "short"],
)
async def test_a_content_digest_mismatch_is_refused(hub: Hub, header: str) -> None:
    response, body = await upload(hub, png(), "image/png", headers={"Content-Digest": header})
    assert (response.status, problem_slug(body)) == (400, "digest-mismatch")
    assert stored_blobs(hub) == []


async def test_a_content_digest_with_other_members_is_checked(hub: Hub) -> None:
    data = png()
    header = f"sha-512=:{base64.b64encode(hashlib.sha512(data).digest()).decode()}:, " + (
        _content_digest(data)
    )
    response, _ = await upload(hub, data, "image/png", headers={"Content-Digest": header})
    assert response.status == 201


async def test_over_the_limit_is_refused(hub_factory: Callable[..., Any]) -> None:
    hub = await hub_factory(evidence_max_bytes=4096)
    response, body = await upload(hub, pdf(padding=5000), "application/pdf")
    assert (response.status, problem_slug(body)) == (413, "evidence-too-large")
    fits, _ = await upload(hub, pdf(padding=3000), "application/pdf")
    assert fits.status == 201
    assert len(stored_blobs(hub)) == 1


async def test_a_chunked_upload_over_the_limit_is_refused(hub_factory: Callable[..., Any]) -> None:
    hub = await hub_factory(evidence_max_bytes=4096)
    data = pdf(padding=200_000)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    headers = {"Content-Type": "application/pdf", **hub.bearer("city", scope="evidence")}
    response = await hub.client.post("/v1/evidence", data=chunks(), headers=headers)
    assert response.status == 413
    assert problem_slug(await response.json(content_type=None)) == "evidence-too-large"
    assert stored_blobs(hub) == []


async def test_evidence_larger_than_a_signed_message_is_accepted(hub: Hub) -> None:
    data = pdf(padding=3 * hub.settings.max_body_bytes)
    response, body = await upload(hub, data, "application/pdf")
    assert (response.status, body["size"]) == (201, len(data))
    assert await (await download(hub, body["sha256"])).read() == data


@pytest.mark.parametrize(
    ("headers", "status", "slug"),
    [
        ({}, 401, "authentication-required"),
        ({"Authorization": "Basic Y2l0eTpwdw=="}, 401, "authentication-required"),
        ({"Authorization": "Bearer not.a.token"}, 401, "invalid-token"),
    ],
)
async def test_uploads_need_a_token(
    hub: Hub, headers: dict[str, str], status: int, slug: str
) -> None:
    response = await hub.client.post(
        "/v1/evidence", data=png(), headers={"Content-Type": "image/png", **headers}
    )
    assert (response.status, problem_slug(await response.json(content_type=None))) == (status, slug)
    assert stored_blobs(hub) == []


@pytest.mark.parametrize(
    ("party", "scope", "status", "slug"),
    [
        ("province", "evidence", 403, "not-authorized"),  # may read, may send nothing
        ("city", "read", 403, "not-authorized"),  # a read token is not an upload token
        ("intruder", "evidence", 401, "invalid-token"),  # unknown key
    ],
)
async def test_uploads_need_a_sending_key_and_the_evidence_scope(
    hub: Hub, party: str, scope: str, status: int, slug: str
) -> None:
    headers = {"Content-Type": "image/png", **hub.bearer(party, scope=scope)}
    response = await hub.client.post("/v1/evidence", data=png(), headers=headers)
    assert (response.status, problem_slug(await response.json(content_type=None))) == (status, slug)
    assert stored_blobs(hub) == []


async def test_downloads_are_for_readers_only(hub: Hub) -> None:
    _, body = await upload(hub, jpeg(), "image/jpeg")
    anonymous = await hub.client.get(body["href"])
    assert anonymous.status == 401
    uploader = await download(hub, body["sha256"], party="city")
    assert uploader.status == 403
    assert problem_slug(await uploader.json(content_type=None)) == "not-authorized"
    wrong_scope = hub.bearer("province", scope="evidence")
    evidence_token = await hub.client.get(body["href"], headers=wrong_scope)
    assert evidence_token.status == 403


@pytest.mark.parametrize(
    ("digest", "status", "slug"),
    [
        ("0" * 64, 404, "evidence-not-found"),
        ("A" * 64, 400, "invalid-parameter"),
        ("abc", 400, "invalid-parameter"),
        ("..%2F..%2Fsecrets", 400, "invalid-parameter"),
    ],
)
async def test_download_of_an_unknown_or_malformed_digest(
    hub: Hub, digest: str, status: int, slug: str
) -> None:
    response = await download(hub, digest)
    assert (response.status, problem_slug(await response.json(content_type=None))) == (status, slug)


@pytest.mark.parametrize("where", ["ciphertext", "tag", "media-type", "header-length"])
async def test_a_tampered_blob_is_never_served(
    hub: Hub, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, body = await upload(hub, pdf(), "application/pdf")
    [blob] = stored_blobs(hub)
    raw = bytearray(blob.read_bytes())
    offset = {
        "ciphertext": len(raw) // 2 + 20,
        "tag": len(raw) - 1,
        "media-type": raw.index(b"application/pdf") + 1,
        "header-length": raw.index(b"application/pdf") + len(b"application/pdf") + 7,
    }[where]
    raw[offset] ^= 0x01
    blob.write_bytes(bytes(raw))
    with caplog.at_level(logging.ERROR, logger="certhub.hub.api.evidence_routes"):
        response = await download(hub, body["sha256"])
    problem = await response.json(content_type=None)
    assert (response.status, problem_slug(problem)) == (500, "evidence-corrupt")
    assert response.content_type == "application/problem+json"
    assert b"%PDF" not in await response.read()
    assert any(record.levelno == logging.ERROR for record in caplog.records)


async def test_a_blob_moved_to_another_address_is_corrupt(hub: Hub) -> None:
    _, first = await upload(hub, png(grey=1), "image/png")
    _, second = await upload(hub, png(grey=2), "image/png")
    vault = vault_of(hub)
    vault.path_of(second["sha256"]).write_bytes(vault.path_of(first["sha256"]).read_bytes())
    response = await download(hub, second["sha256"])
    assert response.status == 500
    assert (await download(hub, first["sha256"])).status == 200


async def test_uploading_the_same_bytes_again_repairs_a_corrupt_blob(hub: Hub) -> None:
    data = jpeg()
    _, body = await upload(hub, data, "image/jpeg")
    [blob] = stored_blobs(hub)
    blob.write_bytes(blob.read_bytes()[:-1])
    assert (await download(hub, body["sha256"])).status == 500
    again, _ = await upload(hub, data, "image/jpeg")
    assert again.status == 201
    assert await (await download(hub, body["sha256"])).read() == data


async def test_after_key_rotation_old_evidence_stays_readable(hub: Hub) -> None:
    vault = vault_of(hub)
    old_key = vault.keyring.active_id
    _, old = await upload(hub, png(grey=10), "image/png")
    new_key = vault.keyring.rotate()
    _, new = await upload(hub, png(grey=20), "image/png")
    assert new_key != old_key
    assert (await vault.get(old["sha256"]))[1].key_id == old_key
    assert (await vault.get(new["sha256"]))[1].key_id == new_key
    assert new_key.encode() in vault.path_of(new["sha256"]).read_bytes()
    for body, grey in ((old, 10), (new, 20)):
        assert await (await download(hub, body["sha256"])).read() == png(grey=grey)


async def test_a_store_that_cannot_be_read_answers_503_store_unavailable(hub: Hub) -> None:
    data = png(grey=3)
    _, body = await upload(hub, data, "image/png")
    blob = vault_of(hub).path_of(body["sha256"])
    blob.unlink()
    blob.mkdir()  # reading it is an I/O error, as a failed disk or database would be
    response = await download(hub, body["sha256"])
    assert (response.status, problem_slug(await response.json())) == (503, "store-unavailable")
