"""zeep's own parser settings refuse DTDs and entities, behind the adapter's pre-check."""

from __future__ import annotations

import pytest
from zeep import Settings
from zeep.exceptions import DTDForbidden, EntitiesForbidden, XMLSyntaxError
from zeep.loader import parse_xml

from certhub.adapters.errors import AdapterError
from certhub.mocks.soap_xml import billion_laughs, external_entity, response_element

SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def answer() -> object:
    return response_element(
        "VerifyPersonResponse", [[("RequestId", "r1"), ("Result", "MATCH")]], None, flat=True
    )


def test_zeep_refuses_an_external_entity_dtd() -> None:
    with pytest.raises(DTDForbidden):
        parse_xml(external_entity(answer()), None, settings=SETTINGS)


def test_billion_laughs_never_expands() -> None:
    # libxml2's amplification limit trips even before zeep's DTD check; either way
    # the document is refused, never expanded.
    with pytest.raises((DTDForbidden, XMLSyntaxError)):
        parse_xml(billion_laughs(answer()), None, settings=SETTINGS)


def test_zeep_refuses_entities_even_when_dtds_are_allowed() -> None:
    lenient = Settings(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    with pytest.raises(EntitiesForbidden):
        parse_xml(external_entity(answer()), None, settings=lenient)


def test_adapter_errors_mask_id_numbers() -> None:
    error = AdapterError("person 440102195003121231 not found", adapter="eid", operation="x")
    assert "440102195003121231" not in str(error)
    assert str(error).startswith("eid.x: ")
