"""``certhub trust add|list|revoke``: the trust store every inbound check reads.

One file format (a JWK Set with a ``certhub`` member per key) serves the hub's
own trust store and the platform/bank key files the inbound adapters verify
with (``--store FILE``); a running hub reloads each when it changes. With
PostgreSQL as the ledger (``--database-url`` or ``CERTHUB_DATABASE_URL``,
and no ``--store``) the hub's own trust store is the deployment's, in the
database: the same operations change its rows, and every hub process
reloads them within ``CERTHUB_TRUST_RELOAD_SECONDS``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from certhub.hub.cli.common import CliError
from certhub.hub.cli.deployment_keys import settings_for
from certhub.hub.core.settings import Settings
from certhub.hub.enrolment import STAFF_TYPES
from certhub.hub.store.postgres.keys import deployment_key_path, load_deployment_key
from certhub.hub.store.postgres.trust import DatabaseTrustStore
from certhub.schemas import MESSAGE_TYPES, Role
from certhub.security import AreaScope, TrustedKey, TrustStore, VerifyingKey, parse_area
from certhub.security.admin import read_key_to_trust, trust_add, trust_revoke, with_added

__all__ = ["add_trust_commands", "known_types", "parse_area_option", "parse_not_after"]


def add_trust_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``certhub trust …``."""
    trust = sub.add_parser("trust", help="manage the trust store").add_subparsers(required=True)
    add = trust.add_parser("add", help="trust a sender's public JWK")
    add.add_argument("jwk", type=Path, metavar="PUBLIC_JWK", help="the sender's public JWK file")
    add.add_argument("--sender", required=True, help="the sender id the key signs as")
    add.add_argument("--may-send", default="", help="comma-separated message types")
    add.add_argument("--may-read", action="store_true", help="may pull personal data")
    add.add_argument(
        "--role", choices=[role.value for role in Role], help="the sender's role (for decisions)"
    )
    add.add_argument(
        "--not-after",
        type=parse_not_after,
        help="the key expires then (ISO 8601 with a UTC offset, e.g. 2027-01-01T00:00+08:00)",
    )
    add.add_argument(
        "--move", action="store_true", help="the key is trusted for another sender: move it"
    )
    add.add_argument(
        "--area",
        type=parse_area_option,
        help="read only this region: a city, county, 9-digit town or 12-digit village code",
    )
    _store_options(add)
    add.set_defaults(command=_trust_add)
    show = trust.add_parser("list", help="list trusted keys")
    _store_options(show)
    show.set_defaults(command=_trust_list)
    revoke = trust.add_parser("revoke", help="revoke a key for good (by kid)")
    revoke.add_argument("kid", metavar="KID", help="key id, as `trust list` shows it")
    _store_options(revoke)
    revoke.set_defaults(command=_trust_revoke)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, help="trust store file (default DATA/trust.jwks.json)"
    )
    parser.add_argument("--data", type=Path, help="data folder (CERTHUB_DATA_DIR)")
    parser.add_argument(
        "--database-url",
        help="the deployment's trust store in PostgreSQL (CERTHUB_DATABASE_URL); not with --store",
    )


def parse_not_after(text: str) -> datetime:
    """An expiry time: ISO 8601 with an explicit offset, in the future."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset (Z or +08:00)")
    if when <= datetime.now(UTC):
        raise argparse.ArgumentTypeError(f"{text!r} is in the past; use trust revoke instead")
    return when


def parse_area_option(text: str) -> AreaScope:
    """An area: a Guangdong city, county, town (9 digits) or village (12 digits) code."""
    try:
        return parse_area(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an area: {exc}") from None


def known_types() -> dict[str, str]:
    """Every type a key may be trusted for: canonical types and adapters' native ones.

    Returns:
        type -> who reads it (``schemas`` or the adapter's name).
    """
    from certhub.adapters import adapter_names, load_adapter

    types = dict.fromkeys(MESSAGE_TYPES, "schemas")
    types.update(dict.fromkeys(sorted(STAFF_TYPES), "enrolment"))
    for name in adapter_names():
        for native in sorted(getattr(load_adapter(name), "native_types", frozenset())):
            types.setdefault(native, name)
    return types


def _check_types(names: Sequence[str]) -> None:
    known = known_types()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CliError(f"unknown message type(s) {', '.join(unknown)}; known: {', '.join(known)}")


def _store_path(args: argparse.Namespace) -> Path:
    if args.store is not None:
        return Path(args.store)
    return Settings(**({"data_dir": args.data} if args.data else {})).trust_store_path


def _database(args: argparse.Namespace) -> Settings | None:
    """The settings naming the deployment database whose trust store the command changes, if any."""
    if args.store is not None:
        if args.database_url:
            raise CliError("--store names a file; leave out --database-url")
        return None  # an adapter's key file, or a file asked for by name
    settings = settings_for(args)
    return None if settings.database_url is None else settings


def _in_database(
    settings: Settings, change: Callable[[TrustStore], TrustStore] | None
) -> TrustStore:
    """Apply ``change`` to the deployment's trust store (None: read it), as one transaction.

    Its rows are authenticated under the deployment key, so this needs it as
    ``certhub keys rotate`` does (``CERTHUB_SECRETS_DIR`` or ``DATA/secrets/``).
    """
    url = settings.database_url
    if url is None:  # pragma: no cover - _database returned these settings for their URL
        raise CliError("no database URL")
    path = deployment_key_path(settings.secrets_dir, settings.data_dir)

    async def run() -> TrustStore:
        key = await asyncio.to_thread(load_deployment_key, path, create=False)
        async with DatabaseTrustStore.connected(url.get_secret_value(), key) as store:
            if change is None:
                return (await store.load())[1]
            return await store.edit(change)

    return asyncio.run(run())


def _entry(store: TrustStore, kid: str) -> TrustedKey:
    entry = store.get(kid)
    if entry is None:  # pragma: no cover - the change just put it there
        raise CliError(f"key {kid} is not in the trust store after the change")
    return entry


def _trust_add(args: argparse.Namespace) -> int:
    may_send = [name.strip() for name in args.may_send.split(",") if name.strip()]
    _check_types(may_send)
    if not may_send and not args.may_read:
        raise CliError("give --may-send TYPES and/or --may-read; a key with no rights is useless")
    shared = _database(args)
    try:
        if shared is not None:
            jwk = read_key_to_trust(args.jwk, sender=args.sender, role=args.role)
            added = _in_database(shared, lambda store: with_added(
                store, jwk, sender=args.sender, may_send=may_send, may_read=args.may_read,
                role=args.role, not_after=args.not_after, move=args.move, area=args.area,
            ))  # fmt: skip
            return _added(_entry(added, VerifyingKey.from_jwk(jwk).kid))
        entry = trust_add(
            _store_path(args),
            args.jwk,
            sender=args.sender,
            may_send=may_send,
            may_read=args.may_read,
            role=args.role,
            not_after=args.not_after,
            move=args.move,
            area=args.area,
        )
    except ValueError as exc:  # an invalid sender id
        raise CliError(str(exc)) from None
    return _added(entry)


def _added(entry: TrustedKey) -> int:
    state = " (revoked: it stays revoked)" if entry.revoked else ""
    print(f"trusted {entry.kid} for sender {entry.sender}{state}")
    return 0


def _trust_list(args: argparse.Namespace) -> int:
    shared = _database(args)
    store = TrustStore.load(_store_path(args)) if shared is None else _in_database(shared, None)
    for entry in store:
        rights = ",".join(sorted(entry.may_send)) or "-"
        read = "yes" if entry.may_read else "no"
        expiry = "-" if entry.not_after is None else entry.not_after.isoformat()
        area = "province" if entry.area is None else entry.area.code
        print(
            f"{entry.kid}  {entry.sender}  send={rights}  read={read}  role={entry.role}"
            f"  area={area}  not_after={expiry}  revoked={'yes' if entry.revoked else 'no'}"
        )
    return 0


def _trust_revoke(args: argparse.Namespace) -> int:
    shared = _database(args)
    if shared is None:
        entry = trust_revoke(_store_path(args), args.kid)
    else:
        entry = _entry(_in_database(shared, lambda store: store.revoke(args.kid)), args.kid)
    print(f"revoked {entry.kid} (sender {entry.sender}); running hubs reload the store")
    return 0
