"""Errors of the evidence vault, one small tree::

    EvidenceError                 root: anything the vault refuses or cannot do
    ├── EvidenceRejected          a permanent refusal of an upload (carries a problem slug)
    ├── EvidenceNotFound          no blob is stored under that digest
    ├── EvidenceCorrupt           a stored blob fails decryption or its digest check
    └── EvidenceKeyError          the key folder is missing, unsafe or malformed

``EvidenceRejected`` is the client's fault (4xx); ``EvidenceCorrupt`` and
``EvidenceKeyError`` are the hub's (an operator must look).
"""

from __future__ import annotations

__all__ = [
    "EvidenceCorrupt",
    "EvidenceError",
    "EvidenceKeyError",
    "EvidenceNotFound",
    "EvidenceRejected",
]


class EvidenceError(Exception):
    """Root of every evidence vault error."""


class EvidenceRejected(EvidenceError):
    """An upload refused for a reason the client can fix.

    Args:
        slug: the stable problem type (``evidence-truncated``, ``digest-mismatch`` …).
        detail: a human explanation, without personal data.
    """

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(f"{slug}: {detail}")
        self.slug = slug
        self.detail = detail


class EvidenceNotFound(EvidenceError):
    """No evidence is stored under the digest asked for."""


class EvidenceCorrupt(EvidenceError):
    """A stored blob is damaged or tampered with: it fails authentication or its digest."""


class EvidenceKeyError(EvidenceError):
    """The evidence key folder cannot be used (missing, readable by others, bad key)."""
