"""Validation of REST payloads against a department's OpenAPI 3.1 document.

The document in ``adapters/contracts`` is the contract; the mock of the same
department validates against the same file. Error messages name the JSON
path and the failed keyword only — never the value, which may be an ID number.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .errors import RequestRejected, ResponseInvalid
from .native import native_json

__all__ = ["OpenApiContract", "load_contract"]

_BASE_URI = "urn:certhub:contract"


class OpenApiContract:
    """The component schemas of one OpenAPI 3.1 document, ready to validate."""

    def __init__(self, path: Path) -> None:
        self.path = path
        document = json.loads(path.read_text(encoding="utf-8"))
        self.document: dict[str, Any] = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def problems(self, component: str, instance: object) -> list[str]:
        """Where ``instance`` breaks ``#/components/schemas/<component>`` (empty if valid)."""
        validator = self._validators.get(component)
        if validator is None:
            if component not in self.document["components"]["schemas"]:
                raise KeyError(f"no component schema {component!r} in {self.path.name}")
            ref = {"$ref": f"{_BASE_URI}#/components/schemas/{component}"}
            validator = Draft202012Validator(ref, registry=self._registry)
            self._validators[component] = validator
        return sorted(
            f"{error.json_path}: {error.validator}" for error in validator.iter_errors(instance)
        )

    def check_request(self, component: str, body: object) -> None:
        """Refuse, before anything is sent, a request ``body`` that breaks ``component``.

        Raises:
            RequestRejected: naming the first place it breaks (permanent: never retried).
        """
        problems = self.problems(component, body)
        if problems:
            raise RequestRejected(f"{component} breaks the contract: {problems[0]}")

    def parse_answer(self, component: str, content: bytes) -> Any:
        """A department's answer ``content`` parsed as JSON and checked against ``component``.

        Raises:
            ResponseInvalid: not JSON, or naming up to three places where it breaks.
        """
        try:
            answer = native_json(content)
        except ValueError:
            raise ResponseInvalid(f"{component}: body is not JSON (or nested too deep)") from None
        problems = self.problems(component, answer)
        if problems:
            raise ResponseInvalid(f"{component} breaks the contract: {'; '.join(problems[:3])}")
        return answer


@cache
def load_contract(path: Path) -> OpenApiContract:
    """The contract at ``path``, parsed once per process (it is read-only)."""
    return OpenApiContract(path)
