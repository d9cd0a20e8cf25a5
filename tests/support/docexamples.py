"""Examples in the project's Markdown documents, marked ```` ```lang example=NAME ````.

Tests read them from the document itself, so a document whose example stops
working fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^```[a-z]* example=([a-z0-9_-]+)\n(.*?)\n```$", re.M | re.S)


def doc_examples(relative: str) -> dict[str, str]:
    """Each marked example of the document at ``relative`` (from the repository root)."""
    text = (ROOT / relative).read_text(encoding="utf-8")
    found = dict(_BLOCK.findall(text))
    assert found, f"{relative} has no marked examples"
    return found
