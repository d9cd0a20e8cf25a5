"""The contract files the mocks validate against — the adapters' own files, by path.

Mocks never import ``adapters``; they read the same WSDL, XSD and OpenAPI
documents from ``adapters/contracts`` so a mock cannot drift from the
contract its adapter uses.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["CONTRACTS_DIR", "OpenApi", "eid_schema", "openapi"]

CONTRACTS_DIR = Path(__file__).resolve().parent.parent / "adapters" / "contracts"
_BASE = "urn:certhub:contract"


class OpenApi:
    """One OpenAPI 3.1 document: its component schemas and path parameters."""

    def __init__(self, path: Path) -> None:
        self.document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE, resource)

    def problems(self, schema: dict[str, Any] | str, instance: object) -> list[str]:
        """Where ``instance`` breaks a component (by name) or an inline schema."""
        if isinstance(schema, str):
            schema = {"$ref": f"{_BASE}#/components/schemas/{schema}"}
        validator = Draft202012Validator(schema, registry=self._registry)
        return sorted(f"{e.json_path}: {e.validator}" for e in validator.iter_errors(instance))

    def parameters(self, path: str, method: str) -> list[dict[str, Any]]:
        """The declared parameters of one operation."""
        params: list[dict[str, Any]] = self.document["paths"][path][method].get("parameters", [])
        return params


@cache
def openapi(name: str) -> OpenApi:
    """``<name>.openapi.json`` from the contracts folder, parsed once."""
    return OpenApi(CONTRACTS_DIR / f"{name}.openapi.json")


@cache
def eid_schema() -> etree.XMLSchema:
    """The e-ID service's XSD, compiled once."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(CONTRACTS_DIR / "eid.xsd"), parser))
