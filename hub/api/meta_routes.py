"""Public, non-personal endpoints: health, keys, schemas, OpenAPI, AsyncAPI, metrics."""

from __future__ import annotations

from aiohttp import web

from certhub.hub.api.openapi import openapi_document
from certhub.hub.core.build import package_version
from certhub.hub.core.keys import KEYRING, METRICS, READINESS, SETTINGS
from certhub.hub.delivery.asyncapi import asyncapi_document
from certhub.hub.problems import Problem
from certhub.monitoring.server import metrics_response
from certhub.schemas import MESSAGE_TYPES, UnknownMessageType, json_schema_for

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """The process is alive and serving."""
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """Ready to take traffic: every readiness check passes (503 with detail otherwise)."""
    results = await request.app[READINESS].run()
    ready = all(result.ok for result in results)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {result.name: result.as_dict() for result in results},
    }
    return web.json_response(
        body, status=200 if ready else 503, headers={"Cache-Control": "no-store"}
    )


@routes.get("/.well-known/jwks.json")
async def jwks(request: web.Request) -> web.Response:
    """The hub's public signing keys, to verify receipts."""
    return web.json_response(
        request.app[KEYRING].jwks(), headers={"Cache-Control": "public, max-age=300"}
    )


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 description of this API."""
    return web.json_response(openapi_document())


@routes.get("/asyncapi.json")
async def asyncapi(request: web.Request) -> web.Response:
    """The AsyncAPI 2.6 description of this deployment's AMQP channels."""
    settings = request.app[SETTINGS]
    document = asyncapi_document(settings.amqp_prefix, version=package_version())
    return web.json_response(document)


@routes.get("/v1/schemas")
async def list_schemas(request: web.Request) -> web.Response:
    """Every canonical message type this hub knows."""
    return web.json_response(
        {"types": [{"type": name, "href": f"/v1/schemas/{name}"} for name in MESSAGE_TYPES]}
    )


@routes.get("/v1/schemas/{name}/{version}")
async def get_schema(request: web.Request) -> web.Response:
    """The JSON Schema of one canonical message type, e.g. eligibility_report/v1."""
    message_type = f"{request.match_info['name']}/{request.match_info['version']}"
    try:
        schema = json_schema_for(message_type)
    except UnknownMessageType as exc:
        raise Problem("unknown-schema-type", str(exc)) from exc
    return web.json_response(schema, content_type="application/schema+json")


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Prometheus exposition of the hub's one registry."""
    return metrics_response(request.app[METRICS].registry)
