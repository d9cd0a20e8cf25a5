"""The AsyncAPI document is valid and is the topology the hub declares on RabbitMQ (16 §3)."""

from __future__ import annotations

import copy
import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from hub_fixtures import hub, hub_factory, party_keys
from hubkit import Hub
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from certhub.hub.delivery.amqp_ingress import ROUTES
from certhub.hub.delivery.asyncapi import DELIVERY_DESTINATIONS, asyncapi_document
from certhub.hub.delivery.rabbit import JOB_KINDS, RabbitBroker
from certhub.schemas import json_schema_for

__all__ = ["hub", "hub_factory", "party_keys"]

SCHEMAS = Path(__file__).with_name("asyncapi")
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# The AMQP binding schemas name the 3.0.0 extension definition: any value is allowed there.
EXTENSION = "http://asyncapi.com/definitions/3.0.0/specificationExtension.json"


def _validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(EXTENSION, DRAFT7.create_resource({}))
    return Draft7Validator(schema, registry=registry)


def _errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks AsyncAPI 2.6.0 or the AMQP 0.2.0 bindings."""
    found = [f"{e.json_path}: {e.message}" for e in _validator("asyncapi-2.6.0.schema.json")
             .iter_errors(document)]  # fmt: skip
    channel = _validator("amqp-0.2.0-channel.schema.json")
    operation = _validator("amqp-0.2.0-operation.schema.json")
    message = _validator("amqp-0.2.0-message.schema.json")
    for name, item in document["channels"].items():
        found += [f"{name}: {e.message}" for e in channel.iter_errors(item["bindings"]["amqp"])]
        for kind in ("publish", "subscribe"):
            if kind not in item:
                continue
            bound = item[kind].get("bindings", {}).get("amqp", {})
            found += [f"{name} {kind}: {e.message}" for e in operation.iter_errors(bound)]
            sent = item[kind]["message"].get("bindings", {}).get("amqp", {})
            found += [f"{name} message: {e.message}" for e in message.iter_errors(sent)]
    return found


def test_the_document_is_valid_asyncapi_2_6_with_valid_amqp_bindings() -> None:
    assert _errors(asyncapi_document("certhub", version="0.1.0")) == []


@pytest.mark.parametrize(
    ("where", "breaks"),
    [
        ("info", lambda doc: doc["info"].pop("version")),
        ("binding", lambda doc: doc["channels"]["reports"]["bindings"]["amqp"].update(durable=1)),
        (
            "queue kind",
            lambda doc: doc["channels"]["reports"]["bindings"]["amqp"].update({"is": "x"}),
        ),
        ("operation", lambda doc: doc["channels"]["sms"]["subscribe"].update(operationId=5)),
    ],
)
def test_a_broken_document_is_caught(where: str, breaks: Any) -> None:
    document = asyncapi_document("certhub", version="0.1.0")
    breaks(document)
    assert _errors(document), where


def test_the_message_schemas_are_the_canonical_ones() -> None:
    document = asyncapi_document("certhub", version="0.1.0")
    schemas = document["components"]["schemas"]
    for collection, (_, types) in ROUTES.items():
        payloads = document["channels"][collection]["publish"]["message"]["x-certhub-payload-types"]
        assert set(payloads) == set(types)
        for name in types:
            key = payloads[name]["$ref"].rsplit("/", 1)[1]
            assert schemas[key]["title"] == json_schema_for(name)["title"]
            text = json.dumps(schemas[key])
            assert '"#/$defs/' not in text  # references resolve inside the AsyncAPI document
    ministry = document["components"]["messages"]["CertificationDelivery"]["payload"]["$ref"]
    assert ministry == "#/components/schemas/certification_event.v1"


async def test_the_hub_serves_its_deployments_document(hub_factory: Any) -> None:
    started: Hub = await hub_factory(amqp_prefix="gd-prod")
    response = await started.client.get("/asyncapi.json")
    assert response.status == 200
    served = await response.json()
    expected = asyncapi_document("gd-prod", version=served["info"]["version"])
    assert served == json.loads(json.dumps(expected))
    assert "gd-prod.ingress" in served["channels"]
    assert _errors(served) == []


# -- the live topology --------------------------------------------------------------------


def _rabbitmqctl(*args: str) -> list[dict[str, Any]]:
    tool = shutil.which("rabbitmqctl")
    assert tool is not None, "rabbitmqctl missing: run tests/ensure_services.sh"
    done = subprocess.run(
        [tool, "-q", *args, "--formatter", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return rows


def _live(prefix: str) -> dict[str, Any]:
    mine = f"{prefix}."
    exchanges = {
        (row["name"], row["type"], row["durable"], row["auto_delete"])
        for row in _rabbitmqctl("list_exchanges", "name", "type", "durable", "auto_delete")
        if row["name"].startswith(mine)
    }
    queues = {  # arguments come as [name, AMQP type, value]
        row["name"]: (row["durable"], {name: value for name, _, value in row["arguments"]})
        for row in _rabbitmqctl("list_queues", "name", "durable", "arguments")
        if row["name"].startswith(mine)
    }
    bindings = {
        (row["source_name"], row["destination_name"], row["routing_key"])
        for row in _rabbitmqctl(
            "list_bindings", "source_name", "destination_name", "destination_kind", "routing_key"
        )
        if row["source_name"].startswith(mine) and row["destination_kind"] == "queue"
    }
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings}


def _described(document: dict[str, Any]) -> dict[str, Any]:
    exchanges, queues, bindings = set(), {}, set()
    for item in document["channels"].values():
        amqp = item["bindings"]["amqp"]
        extra = [item["x-certhub-exchange"]] if "x-certhub-exchange" in item else []
        for exchange in [amqp.get("exchange"), *extra]:
            if exchange is not None:
                kind, durable, auto = exchange["type"], exchange["durable"], exchange["autoDelete"]
                exchanges.add((exchange["name"], kind, durable, auto))
        if amqp["is"] == "queue":
            queue = amqp["queue"]
            queues[queue["name"]] = (queue["durable"], item["x-certhub-arguments"])
            for bound in item["x-certhub-bindings"]:
                bindings.add((bound["exchange"], queue["name"], bound["routingKey"]))
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings}


async def test_the_document_is_the_topology_the_hub_declares() -> None:
    prefix = f"asyncapi-{secrets.token_hex(4)}"
    broker = RabbitBroker(AMQP_URL, prefix=prefix, prefetch=1)
    await broker.start(list(DELIVERY_DESTINATIONS), handler=None)
    await broker.aclose()
    document = asyncapi_document(prefix, version="0.1.0")
    described = _described(document)
    try:
        live = _live(prefix)
    finally:
        await _delete(described)
    assert live["exchanges"] == described["exchanges"]
    assert live["queues"] == described["queues"]
    assert live["bindings"] == described["bindings"]
    # ingress, deliveries, jobs, dlq
    assert len(live["bindings"]) == 4 + len(DELIVERY_DESTINATIONS) + len(JOB_KINDS) + 1
    # the comparison can fail: a document missing one binding does not match
    broken = copy.deepcopy(document)
    broken["channels"][f"{prefix}.ingress"]["x-certhub-bindings"].pop()
    assert _described(broken)["bindings"] != live["bindings"]


async def _delete(described: dict[str, Any]) -> None:
    connection = await aio_pika.connect(AMQP_URL, timeout=10)
    async with connection:
        channel = await connection.channel()
        for queue in described["queues"]:
            await channel.queue_delete(queue)
        for name, *_ in described["exchanges"]:
            await channel.exchange_delete(name)
