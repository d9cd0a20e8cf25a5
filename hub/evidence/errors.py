"""Errors of the evidence vault, one small tree::

    EvidenceError                 root: anything the vault refuses or cannot do
    ├── EvidenceRejected          a permanent refusal of an upload (also a schemas.Refusal)
    ├── EvidenceNotFound          no blob is stored under that digest
    ├── EvidenceCorrupt           a stored blob fails decryption or its digest check
    └── EvidenceKeyError          the key folder is missing, unsafe or malformed

``EvidenceRejected`` is the client's fault (4xx); ``EvidenceCorrupt`` and
``EvidenceKeyError`` are the hub's (an operator must look).
"""

from __future__ import annotations

from certhub.schemas import Refusal

__all__ = [
    "EvidenceCorrupt",
    "EvidenceError",
    "EvidenceKeyError",
    "EvidenceNotFound",
    "EvidenceRejected",
]


class EvidenceError(Exception):
    """Root of every evidence vault error."""


class EvidenceRejected(EvidenceError, Refusal):
    """An upload refused for a reason the client can fix (a :class:`schemas.Refusal`).

    Args:
        slug: the stable problem type (``evidence-truncated``, ``digest-mismatch`` …).
        detail: a human explanation, without personal data.
    """

    def __str__(self) -> str:
        return f"{self.slug}: {self.detail}"


class EvidenceNotFound(EvidenceError):
    """No evidence is stored under the digest asked for."""


class EvidenceCorrupt(EvidenceError):
    """A stored blob is damaged or tampered with: it fails authentication or its digest."""


class EvidenceKeyError(EvidenceError):
    """The evidence key folder cannot be used (missing, readable by others, bad key)."""
