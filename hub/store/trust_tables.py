"""Tables that make the trust store and the enrolment codes one per deployment, not per folder.

With PostgreSQL as the ledger, every hub process reads the senders' keys from
``trust_entries`` and redeems enrolment codes from ``enrolment_codes``
(:mod:`certhub.hub.store.postgres.trust`,
:mod:`certhub.hub.store.postgres.enrolment_codes`), so a ``certhub trust add``,
a revocation or an enrolled phone reaches every machine. An embedded SQLite
ledger has them too, empty: its one process keeps the trust store file and
the codes file in its data folder.

``trust_entries`` holds one row per key: ``jwk`` is exactly the JWK Set member
a trust store file holds (the key and its ``certhub`` member, written by
:meth:`~certhub.security.TrustedKey.to_jwk` and read back by
:meth:`~certhub.security.TrustStore.from_jwk_set`), so the file and the table
cannot drift apart. ``sender`` and ``revoked`` repeat two of its members for
lookups. ``tag`` authenticates ``kid`` and ``jwk`` (HMAC-SHA-256 under a key
the deployment key seals), so a row written by anyone without the deployment
key — a database administrator, an injected statement — is refused instead of
trusted. ``changed`` is the store's change counter when the row last changed:
``max(changed)`` is the store's version, which every process polls.

``enrolment_codes`` holds a code only as its HMAC (``mac``) under the
deployment's enrolment key; times are seconds since the epoch.
"""

from __future__ import annotations

from typing import Final

TRUST_ENTRIES: Final = """
CREATE TABLE trust_entries (
    kid        {TEXT} PRIMARY KEY,
    sender     {TEXT} NOT NULL,
    jwk        {TEXT} NOT NULL,
    revoked    {BOOL} NOT NULL DEFAULT {FALSE},
    tag        {TEXT} NOT NULL,
    changed    {BIGINT} NOT NULL,
    updated_at {REAL} NOT NULL
);
CREATE INDEX trust_entries_changed ON trust_entries (changed)
"""

ENROLMENT_CODES: Final = """
CREATE TABLE enrolment_codes (
    code_id    {TEXT} PRIMARY KEY,
    mac        {TEXT} NOT NULL UNIQUE,
    village    {TEXT} NOT NULL,
    role       {TEXT} NOT NULL,
    sender     {TEXT} NOT NULL,
    issued_by  {TEXT} NOT NULL,
    issued_at  {REAL} NOT NULL,
    expires_at {REAL} NOT NULL,
    request    {TEXT} UNIQUE,
    used_at    {REAL},
    kid        {TEXT}
)
"""

SHARED_TRUST: Final = (TRUST_ENTRIES, ENROLMENT_CODES)
"""The tables of the schema step that shares the trust store and the codes, in order."""
