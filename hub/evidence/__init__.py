"""The evidence vault: uploads checked by content, stored by SHA-256, encrypted at rest.

Import from here::

    from certhub.hub.evidence import EvidenceVault, EvidenceKeyring, EvidenceMeta
"""

from certhub.hub.evidence.config import evidence_key_folder, open_vault
from certhub.hub.evidence.content_digest import parse_content_digest
from certhub.hub.evidence.errors import (
    EvidenceCorrupt,
    EvidenceError,
    EvidenceKeyError,
    EvidenceNotFound,
    EvidenceRejected,
)
from certhub.hub.evidence.keys import EvidenceKeyring
from certhub.hub.evidence.sniff import MEDIA_TYPES, sniff_media_type
from certhub.hub.evidence.vault import EvidenceMeta, EvidenceVault, is_digest

__all__ = [
    "MEDIA_TYPES",
    "EvidenceCorrupt",
    "EvidenceError",
    "EvidenceKeyError",
    "EvidenceKeyring",
    "EvidenceMeta",
    "EvidenceNotFound",
    "EvidenceRejected",
    "EvidenceVault",
    "evidence_key_folder",
    "is_digest",
    "open_vault",
    "parse_content_digest",
    "sniff_media_type",
]
