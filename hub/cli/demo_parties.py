"""The demos' parties: each gets a sender key in ``DATA_DIR/parties`` and a trust-store entry."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from certhub.hub.core.settings import Settings
from certhub.security import SigningKey, create_sender_key, read_private_key, trust_add

__all__ = ["DemoParty", "enrol_party", "party_key", "party_key_path"]


class DemoParty(NamedTuple):
    """What a demo party is trusted for: its role, the types it may send, whether it may read."""

    role: str
    may_send: list[str]
    may_read: bool


def party_key_path(settings: Settings, name: str) -> Path:
    """Where party ``name``'s private key lives."""
    return settings.data_dir / "parties" / f"{name}.key.pem"


def party_key(settings: Settings, name: str) -> SigningKey:
    """Party ``name``'s private key, to sign its messages with."""
    return read_private_key(party_key_path(settings, name))


def enrol_party(settings: Settings, name: str, party: DemoParty) -> Path:
    """Give ``name`` a sender key and trust it as ``party``; return its public JWK's file."""
    _, public = create_sender_key(name, settings.data_dir / "parties")
    trust_add(
        settings.trust_store_path,
        public,
        sender=name,
        may_send=party.may_send,
        may_read=party.may_read,
        role=party.role,
    )
    return public
