"""The AsyncAPI 2.6 document of the hub's AMQP channels, served at ``/asyncapi.json``.

Built from the names the RabbitMQ binding declares (:mod:`.rabbit`) and the
collections inbound AMQP accepts (:mod:`.amqp_ingress`), for one deployment's
prefix, so the document cannot drift from the topology:
``tests/ops/test_asyncapi.py`` declares the topology on a live RabbitMQ and
compares every exchange, queue, argument and binding with the document, and
validates the document against the AsyncAPI 2.6.0 JSON Schema.

Channels, from a department's point of view (AsyncAPI 2.x: ``publish`` is what
a client sends to the hub, ``subscribe`` what the hub sends):

- ``reports``, ``certifications``, ``restorations``, ``roster``: routing keys on
  the direct exchange ``P.ingress``; a department *publishes* one signed
  message (compact JWS, the same bytes as an HTTP push), and gets the hub's
  receipt on its ``reply_to`` queue if it names one.
- ``sms``, ``ministry``: routing keys on the direct exchange ``P.deliveries``;
  the hub's relay publishes each delivery there for the workers (*subscribe*).
- ``comparison``: routing key on the direct exchange ``P.jobs``; a run of the
  monthly comparison split by city publishes one job per city partition there
  for the workers (*subscribe*).
- Queues (``is: queue``): ``P.ingress``, ``P.delivery.<destination>``,
  ``P.comparison`` and ``P.dlq``, with their arguments and, under ``x-certhub-bindings``, the
  exchange and routing keys that feed them.

The canonical payload schemas (``schemas/``) are in ``components.schemas``
under their message type; a signed message names its types in
``x-certhub-payload-types``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from certhub.hub.delivery.amqp_ingress import ROUTES
from certhub.hub.delivery.destinations import NOTICES, UPLINK
from certhub.hub.delivery.rabbit import DLQ_MAX_LENGTH, INGRESS_COLLECTIONS, JOB_KINDS
from certhub.schemas import json_schema_for

__all__ = ["AMQP_BINDING_VERSION", "DELIVERY_DESTINATIONS", "asyncapi_document"]

AMQP_BINDING_VERSION = "0.2.0"
DELIVERY_DESTINATIONS: Mapping[str, tuple[str, str]] = {
    NOTICES: ("notify", "NoticeDelivery"),
    UPLINK: ("push_certification", "CertificationDelivery"),
}
"""Each delivery destination: the operation header it carries and its message."""

JWS_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$"


def asyncapi_document(prefix: str, *, version: str, vhost: str = "/") -> dict[str, Any]:
    """The AsyncAPI document of the deployment whose exchanges and queues start ``prefix.``."""
    channels: dict[str, Any] = {}
    for collection in INGRESS_COLLECTIONS:
        channels[collection] = _ingress_channel(prefix, collection, vhost)
    for destination in DELIVERY_DESTINATIONS:
        channels[destination] = _delivery_channel(prefix, destination, vhost)
    for kind in JOB_KINDS:
        channels[kind] = _job_channel(prefix, kind, vhost)
    for queue, description, bindings in _work_queues(prefix):
        channels[queue] = _queue_channel(prefix, queue, vhost, description, bindings)
    channels[f"{prefix}.dlq"] = _dead_letter_channel(prefix, vhost)
    return {
        "asyncapi": "2.6.0",
        "id": f"urn:certhub:{prefix}",
        "info": {
            "title": "certhub AMQP channels",
            "version": version,
            "description": (
                "Signed messages departments publish to the hub over RabbitMQ, and the "
                "deliveries the hub hands its workers. The same contract as the HTTP API "
                "(see /openapi.json): JWS compact serialization, one message per person."
            ),
        },
        "servers": {
            "rabbitmq": {
                "url": "{host}:{port}",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The deployment's RabbitMQ (CERTHUB_AMQP_URL).",
                "variables": {"host": {"default": "127.0.0.1"}, "port": {"default": "5672"}},
            }
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": _messages(), "schemas": _schemas()},
    }


def _work_queues(prefix: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The quorum queues workers consume: name, what it holds, the (exchange, key)s feeding it."""
    queues = [
        (
            f"{prefix}.ingress",
            "Signed messages from departments, consumed by the hub's workers.",
            [(f"{prefix}.ingress", key) for key in INGRESS_COLLECTIONS],
        )
    ]
    queues += [
        (
            f"{prefix}.delivery.{destination}",
            f"Deliveries to the {destination!r} destination, consumed by competing workers.",
            [(f"{prefix}.deliveries", destination)],
        )
        for destination in DELIVERY_DESTINATIONS
    ]
    queues += [
        (
            f"{prefix}.{kind}",
            "The comparison's city partitions, taken one at a time by competing workers.",
            [(f"{prefix}.jobs", kind)],
        )
        for kind in JOB_KINDS
    ]
    return queues


def _exchange(name: str, kind: str, vhost: str) -> dict[str, Any]:
    return {"name": name, "type": kind, "durable": True, "autoDelete": False, "vhost": vhost}


def _routing_key_binding(exchange: str, vhost: str) -> dict[str, Any]:
    """A channel that is a routing key on the direct exchange ``exchange``."""
    return {
        "amqp": {
            "is": "routingKey",
            "exchange": _exchange(exchange, "direct", vhost),
            "bindingVersion": AMQP_BINDING_VERSION,
        }
    }


def _ingress_channel(prefix: str, collection: str, vhost: str) -> dict[str, Any]:
    types = sorted(ROUTES[collection][1])
    return {
        "description": f"Push {', '.join(types)} as a signed message (routing key {collection!r}).",
        "bindings": _routing_key_binding(f"{prefix}.ingress", vhost),
        "publish": {
            "operationId": f"publish{_camel(collection)}",
            "summary": "A department publishes one signed message; the hub records it.",
            "description": (
                "Acked after the message is durably in the ledger; a refused one is copied "
                "to the dead-letter queue with its problem type (x-problem-type). Name a "
                "reply_to queue to receive the receipt (JSON: sequence, receipt)."
            ),
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.2.0"}},
            "message": _signed_message(collection, types),
        },
    }


def _delivery_channel(prefix: str, destination: str, vhost: str) -> dict[str, Any]:
    operation, message = DELIVERY_DESTINATIONS[destination]
    return {
        "description": f"Deliveries for the {destination!r} destination ({operation}).",
        "bindings": _routing_key_binding(f"{prefix}.deliveries", vhost),
        "subscribe": {
            "operationId": f"deliver{_camel(destination)}",
            "summary": "The hub's relay publishes a due delivery (publisher confirms).",
            "description": (
                "A worker acks after the department's call succeeded or its retry was "
                "recorded; each delivery id takes effect once (redeliveries are absorbed)."
            ),
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.2.0"}},
            "message": {"$ref": f"#/components/messages/{message}"},
        },
    }


def _job_channel(prefix: str, kind: str, vhost: str) -> dict[str, Any]:
    return {
        "description": f"Jobs of the hub's {kind} for its workers (routing key {kind!r}).",
        "bindings": _routing_key_binding(f"{prefix}.jobs", vhost),
        "subscribe": {
            "operationId": f"take{_camel(kind)}Partition",
            "summary": "A run split by city publishes one job per partition (confirmed).",
            "description": (
                "A worker claims the partition in the ledger, runs and records it, and acks; "
                "a failed partition is published again while attempts remain. A job whose "
                "partition is not claimable (done, or running elsewhere) is acked unrun."
            ),
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": "0.2.0"}},
            "message": {"$ref": "#/components/messages/ComparisonPartitionJob"},
        },
    }


def _queue_channel(
    prefix: str,
    name: str,
    vhost: str,
    description: str,
    bindings: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    arguments = {"x-queue-type": "quorum", "x-dead-letter-exchange": f"{prefix}.dlx"}
    return {
        "description": description,
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": name,
                    "durable": True,
                    "exclusive": False,
                    "autoDelete": False,
                    "vhost": vhost,
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
        "x-certhub-arguments": arguments,
        "x-certhub-bindings": [
            {"exchange": exchange, "routingKey": key} for exchange, key in bindings
        ],
    }


def _dead_letter_channel(prefix: str, vhost: str) -> dict[str, Any]:
    channel = _queue_channel(
        prefix,
        f"{prefix}.dlq",
        vhost,
        f"Dead letters of every queue, through the fanout exchange {prefix}.dlx: refused "
        "inbound messages (x-problem-type says why) and deliveries given up on; "
        "bounded, the outbox keeps the truth (certhub dlq).",
        [(f"{prefix}.dlx", f"{prefix}.dlq")],  # the key a fanout exchange ignores
    )
    channel["x-certhub-arguments"] = {"x-queue-type": "quorum", "x-max-length": DLQ_MAX_LENGTH}
    channel["x-certhub-exchange"] = _exchange(f"{prefix}.dlx", "fanout", vhost)
    channel["subscribe"] = {
        "operationId": "readDeadLetters",
        "summary": "What the hub could not take or deliver, for an operator.",
        "message": {"$ref": "#/components/messages/DeadLetter"},
    }
    return channel


def _signed_message(collection: str, types: list[str]) -> dict[str, Any]:
    return {
        "name": f"signed-{collection}",
        "title": f"Signed {collection} message",
        "contentType": "application/jose",
        "payload": {"type": "string", "pattern": JWS_PATTERN},
        "correlationId": {"location": "$message.header#/correlation_id"},
        "x-certhub-payload-types": {
            name: {"$ref": f"#/components/schemas/{_schema_key(name)}"} for name in types
        },
        "bindings": {"amqp": {"messageType": collection, "bindingVersion": "0.2.0"}},
    }


def _messages() -> dict[str, Any]:
    headers = {
        "type": "object",
        "required": ["operation", "attempts"],
        "properties": {
            "operation": {"type": "string"},
            "attempts": {"type": "integer", "minimum": 0},
        },
    }
    return {
        "NoticeDelivery": {
            "name": "notice-delivery",
            "title": "A notice to send by SMS (the notice id is the message id)",
            "contentType": "application/json",
            "headers": headers,
            "correlationId": {"location": "$message.header#/correlation_id"},
            "payload": {
                "type": "object",
                "required": ["person_id", "kind", "text"],
                "properties": {
                    "person_id": {"type": "string"},
                    "kind": {"type": "string"},
                    "text": {"type": "string"},
                },
            },
        },
        "CertificationDelivery": {
            "name": "certification-delivery",
            "title": "An approved certification pushed to the ministry",
            "contentType": "application/json",
            "headers": headers,
            "correlationId": {"location": "$message.header#/correlation_id"},
            "payload": {"$ref": f"#/components/schemas/{_schema_key('certification_event/v1')}"},
        },
        "ComparisonPartitionJob": {
            "name": "comparison-partition-job",
            "title": "One city partition of a comparison run (the message id is run/city)",
            "contentType": "application/json",
            "payload": {
                "type": "object",
                "required": ["run_id", "period", "city", "inputs", "as_of"],
                "properties": {
                    "run_id": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-all$"},
                    "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "city": {"type": "string", "pattern": "^44[0-9]{2}$"},
                    "inputs": {"type": "string", "description": "The snapshot's folder."},
                    "as_of": {"type": "string", "format": "date"},
                    "roster": {
                        "type": ["string", "null"],
                        "description": "The month's typed roster snapshot every city reads"
                        " (else null: the input folder's roster).",
                    },
                    "roster_sha256": {
                        "type": ["string", "null"],
                        "description": "The SHA-256 of the file it was checked from: a worker"
                        " without the snapshot reads the input folder's roster only if it is"
                        " that file.",
                    },
                },
            },
        },
        "DeadLetter": {
            "name": "dead-letter",
            "title": "A message the hub refused or gave up on, with why",
            "headers": {
                "type": "object",
                "properties": {
                    "x-problem-type": {"type": "string"},
                    "x-routing-key": {"type": "string"},
                },
            },
            "payload": {},
        },
    }


def _schemas() -> dict[str, Any]:
    types = {name for _, allowed in ROUTES.values() for name in allowed}
    types.add("certification_event/v1")
    return {
        _schema_key(name): _rebased(
            json_schema_for(name), f"#/components/schemas/{_schema_key(name)}"
        )
        for name in sorted(types)
    }


def _rebased(schema: Any, base: str) -> Any:
    """``schema`` with its local references (``#/$defs/…``) made to point under ``base``."""
    if isinstance(schema, dict):
        return {key: _rebased_item(key, value, base) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_rebased(item, base) for item in schema]
    return schema


def _rebased_item(key: str, value: Any, base: str) -> Any:
    if key == "$ref" and isinstance(value, str) and value.startswith("#/"):
        return base + value[1:]
    return _rebased(value, base)


def _schema_key(message_type: str) -> str:
    """``eligibility_report/v1`` → ``eligibility_report.v1`` (a components key has no slash)."""
    return message_type.replace("/", ".")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))
