"""Proof that an upload is the evidence it claims to be, before anything is stored.

The sniffer reads a signature; this module proves the rest: an image is
walked to its end marker and decoded under a pixel limit, a PDF is parsed and
searched for active content. What fails is refused with its own problem type
and never reaches the vault.

Nothing is re-encoded or stripped. A piece of evidence is named by the
SHA-256 of the bytes the sender uploaded: the sender cites that digest in its
signed messages, the hub serves those bytes with that digest, and anyone can
check one against the other later. A hub that rewrote a photo (to drop its
EXIF, say) would store bytes nobody signed, under a name that is no longer
their hash, or under a new name the sender never cited. So the hub refuses
what it will not keep — including photos with GPS coordinates — and the
sender fixes the file before hashing it.
"""

from __future__ import annotations

from certhub.hub.evidence.images import check_image
from certhub.hub.evidence.pdfs import check_pdf
from certhub.hub.evidence.sniff import PDF

__all__ = ["check_content"]


def check_content(data: bytes, media_type: str) -> None:
    """Refuse ``data`` unless it is one whole, decodable, inert file of ``media_type``.

    Blocking and CPU-bound (decoding, parsing): call it from a worker thread,
    as :meth:`certhub.hub.evidence.EvidenceVault.put` does.

    Raises:
        EvidenceRejected: ``evidence-truncated``, ``evidence-not-decodable``,
            ``evidence-trailing-data``, ``evidence-too-many-pixels``,
            ``evidence-location-data``, ``evidence-encrypted`` or
            ``evidence-active-content``.
    """
    if media_type == PDF:
        check_pdf(data)
    else:
        check_image(data, media_type)
