"""The one refusal model: every refusal anywhere in certhub is a :class:`Refusal`.

A refusal names *why* with a stable problem slug (``unknown-key``,
``same-actor``, ``evidence-truncated`` …), says *what exactly* in ``detail``
(safe to show the sender: no key material, no unmasked ID number) and may
carry ``extensions`` (RFC 9457 extension members, e.g. per-row errors). It
says nothing about transports: which HTTP status or title a slug gets is
decided once, at the edge, by the hub's problem catalogue; an AMQP refusal
carries the same slug. The problem ``type`` URI of a slug is part of the
wire contract, hence :func:`problem_type_uri` here.

It lives in ``schemas`` because the packages that refuse (``security``, the
hub's pure rules, its ledger and evidence vault) may all import ``schemas``
and nothing lower exists. Hierarchy::

    Refusal                              schemas (this module)
    ├── security.SecurityError           signed messages, read tokens, keys
    ├── certhub.hub.store.Conflict               a ledger precondition failed
    ├── certhub.hub.evidence.EvidenceRejected    an evidence upload was refused
    └── certhub.hub.problems.Problem             the HTTP edge's own refusals (and headers)

The pure rules (``certhub.hub.rules``) raise :class:`Refusal` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

__all__ = ["PROBLEM_TYPE_PREFIX", "Refusal", "problem_type_uri"]

PROBLEM_TYPE_PREFIX: Final = "urn:certhub:problem:"
"""Every problem ``type`` is this prefix followed by the slug."""

_NO_EXTENSIONS: Final[Mapping[str, Any]] = MappingProxyType({})


class Refusal(Exception):
    """An input refused for a stated reason; whatever refused it stored and changed nothing.

    Args:
        slug: the stable problem slug (a key of the hub's problem catalogue).
        detail: what exactly was wrong, safe to show to the sender.
        extensions: extra problem members for the sender (never personal data).
    """

    slug: str

    def __init__(self, slug: str, detail: str, extensions: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail
        self.extensions: Mapping[str, Any] = _NO_EXTENSIONS if extensions is None else extensions

    def __str__(self) -> str:
        return self.detail

    @property
    def type_uri(self) -> str:
        """The problem ``type`` member for this refusal."""
        return problem_type_uri(self.slug)


def problem_type_uri(slug: str) -> str:
    """The problem ``type`` member for ``slug``."""
    return PROBLEM_TYPE_PREFIX + slug
