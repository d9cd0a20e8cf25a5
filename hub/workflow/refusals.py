"""The procedure rules refuse with :class:`schemas.Refusal` (statuses live in ``hub.problems``).

Kept only so that imports not yet moved to ``schemas`` keep working.
"""

from __future__ import annotations

from schemas import Refusal

__all__ = ["Refusal"]
