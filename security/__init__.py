"""Message security for certhub: keys, signed messages, trust store, tokens, receipts.

Import from here; the submodules are an implementation detail. The strict
base64url codec (``b64url_encode``/``b64url_decode``) is the one every package
uses, and ``create_exclusive``/``replace_atomic`` are the one crash-safe
file write::

    from certhub.security import MessageVerifier, TrustStore, sign_compact
"""

from . import errors
from ._encoding import b64url_decode, b64url_encode, check_json_bounds, json_loads
from ._files import (
    create_exclusive,
    exclusive_lock,
    fsync_directory,
    load_or_create_secret,
    replace_atomic,
)
from ._members import DuplicateMember, refuse_duplicate_members
from .admin import create_sender_key, trust_add, trust_bind
from .errors import *  # noqa: F403 - the whole error tree, as errors.__all__ lists it
from .jws import CompactJWS, parse_compact, sign_compact
from .keyring import HubKeyring, HubSigningKeys
from .keys import (
    Algorithm,
    SigningKey,
    VerifyingKey,
    jwk_thumbprint,
    read_private_key,
    write_private_key,
)
from .offload import SignatureHelper
from .receipts import RECEIPT_TYPE, ReceiptDraft, ReceiptSigner, verify_receipt
from .scopes import AreaScope, area_condition, in_area, parse_area
from .tokens import Reader, ReadTokenVerifier, issue_read_token
from .trust import TrustedKey, TrustStore
from .verify import MessageVerifier, VerifiedMessage

__all__ = [
    "RECEIPT_TYPE",
    "Algorithm",
    "AreaScope",
    "CompactJWS",
    "DuplicateMember",
    "HubKeyring",
    "HubSigningKeys",
    "MessageVerifier",
    "ReadTokenVerifier",
    "Reader",
    "ReceiptDraft",
    "ReceiptSigner",
    "SignatureHelper",
    "SigningKey",
    "TrustStore",
    "TrustedKey",
    "VerifiedMessage",
    "VerifyingKey",
    "area_condition",
    "b64url_decode",
    "b64url_encode",
    "check_json_bounds",
    "create_exclusive",
    "create_sender_key",
    "exclusive_lock",
    "fsync_directory",
    "in_area",
    "issue_read_token",
    "json_loads",
    "jwk_thumbprint",
    "load_or_create_secret",
    "parse_area",
    "parse_compact",
    "read_private_key",
    "refuse_duplicate_members",
    "replace_atomic",
    "sign_compact",
    "trust_add",
    "trust_bind",
    "verify_receipt",
    "write_private_key",
]
# The error tree is listed once, in security.errors.
__all__ += errors.__all__
