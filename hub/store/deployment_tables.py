"""Tables that make a deployment one hub: its keys, its evidence and its singletons' state.

With PostgreSQL as the ledger, every hub process of a deployment reads these
instead of its own data folder (:mod:`certhub.hub.store.postgres.keys`,
:mod:`certhub.hub.evidence.pg_store`, :mod:`certhub.hub.store.postgres.state`).
They are part of the one migration ladder (:mod:`certhub.hub.store.tables`), so
an embedded SQLite ledger has them too, empty: its single process keeps its
keys and evidence in the data folder.

``deployment_keys`` holds one row per key generation. ``sealed`` is the secret
half under AES-256-GCM with the deployment key (a provisioned secret that
never enters the database); ``public_jwk`` is the public half of a signing
key, bound into the seal's associated data so that it cannot be swapped.
``active_from`` (seconds since the epoch) is when a generation starts to sign
or seal; NULL marks a key kept only to verify or open what it made before.
"""

from __future__ import annotations

from typing import Final

DEPLOYMENT_KEYS: Final = """
CREATE TABLE deployment_keys (
    purpose     {TEXT} NOT NULL,
    generation  {BIGINT} NOT NULL,
    kid         {TEXT} NOT NULL,
    public_jwk  {TEXT},
    sealed      {BLOB} NOT NULL,
    created_at  {REAL} NOT NULL,
    active_from {REAL},
    PRIMARY KEY (purpose, generation),
    UNIQUE (purpose, kid)
)
"""

EVIDENCE_BLOBS: Final = """
CREATE TABLE evidence_blobs (
    sha256    {TEXT} PRIMARY KEY,
    blob      {BLOB} NOT NULL,
    stored_at {REAL} NOT NULL
)
"""

DEPLOYMENT_STATE: Final = """
CREATE TABLE deployment_state (
    name       {TEXT} PRIMARY KEY,
    value      {TEXT} NOT NULL,
    updated_at {REAL} NOT NULL
)
"""

SHARED_IDENTITY: Final = (DEPLOYMENT_KEYS, EVIDENCE_BLOBS, DEPLOYMENT_STATE)
"""The tables of schema version 4, in order."""
