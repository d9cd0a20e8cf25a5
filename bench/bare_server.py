"""The floor for this stack: an aiohttp handler that only verifies Ed25519 and answers 202.

Started by ``bench/ingress.py`` as separate processes, as many as the hub has
(the hub and its signature helper), sharing one port (``SO_REUSEPORT``).
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _b64(segment: bytes) -> bytes:
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


def make_app(public_jwk: dict[str, str]) -> web.Application:
    """An app whose one route verifies the signature of the posted compact JWS."""
    key = Ed25519PublicKey.from_public_bytes(_b64(public_jwk["x"].encode()))

    async def push(request: web.Request) -> web.Response:
        token = await request.read()
        signing_input, _, signature = token.rpartition(b".")
        try:
            key.verify(_b64(signature), signing_input)
        except (InvalidSignature, ValueError):
            return web.json_response({"ok": False}, status=401)
        return web.json_response({"ok": True}, status=202)

    app = web.Application()
    app.router.add_post("/v1/reports", push)
    return app


def main() -> None:
    """Serve on the given port until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--jwk", type=Path, required=True)
    args = parser.parse_args()
    jwk = json.loads(args.jwk.read_text())
    web.run_app(
        make_app(jwk),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
        reuse_port=True,
    )


if __name__ == "__main__":
    main()
