"""SOAP 1.1 envelopes for the e-ID mock: parse and validate requests, build answers.

Requests are parsed without DTDs, entity expansion or network access; hostile
answers (billion laughs, external entities) are built here on purpose, for
the fault injector.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from certhub.schemas import mask_ids_in_text

__all__ = [
    "NS",
    "SOAP_ENV",
    "billion_laughs",
    "envelope",
    "external_entity",
    "fault",
    "parse_request",
    "response_element",
]

NS: Final = "urn:gdga:eid:licence:v1"
SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
_NSMAP: Final = {"soap": SOAP_ENV, "tns": NS}


def parse_request(body: bytes, schema: etree.XMLSchema) -> etree._Element:
    """The operation element of a SOAP request, validated against ``schema``.

    Raises:
        ValueError: not XML, has a DTD, not a SOAP 1.1 envelope with one Body
            element, or the element breaks the XSD (message has IDs masked).
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        raise ValueError("request is not well-formed XML") from None
    if root.getroottree().docinfo.doctype:
        raise ValueError("DTD not allowed in requests")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise ValueError("not a SOAP 1.1 envelope")
    bodies = root.findall(f"{{{SOAP_ENV}}}Body")
    operations = list(bodies[0]) if len(bodies) == 1 else []
    if len(operations) != 1:
        raise ValueError("SOAP Body must hold exactly one element")
    operation = operations[0]
    if not schema.validate(operation):
        first = schema.error_log[0] if schema.error_log else None
        reason = mask_ids_in_text(first.message) if first is not None else "invalid"
        raise ValueError(f"request breaks eid.xsd: {reason}")
    return operation


def response_element(
    name: str,
    rows: list[list[tuple[str, str]]],
    next_token: str | None,
    *,
    flat: bool = False,
) -> etree._Element:
    """``<tns:name>`` with one row of fields (``flat``) or one ``Cancellation`` per row."""
    root = etree.Element(f"{{{NS}}}{name}", nsmap={"tns": NS})
    for row in rows:
        parent = root if flat else etree.SubElement(root, f"{{{NS}}}Cancellation")
        for field, value in row:
            etree.SubElement(parent, f"{{{NS}}}{field}").text = value
    if next_token is not None:
        etree.SubElement(root, f"{{{NS}}}NextPageToken").text = next_token
    return root


def envelope(payload: etree._Element) -> bytes:
    """A SOAP 1.1 envelope around ``payload``, UTF-8 with an XML declaration."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(payload)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 Fault envelope; ``code`` is ``soap:Server`` or ``soap:Client``."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    item = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(item, "faultcode").text = code
    etree.SubElement(item, "faultstring").text = message
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def _with_doctype(payload: etree._Element, doctype: str, reference: str) -> bytes:
    text = envelope(payload).decode("utf-8").split("?>", 1)[1]
    text = text.replace("</tns:RequestId>", f"{reference}</tns:RequestId>", 1)
    text = text.replace("</tns:Authority>", f"{reference}</tns:Authority>", 1)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}{text}'.encode()


def billion_laughs(payload: etree._Element) -> bytes:
    """The answer with an exponential entity-expansion DTD ("billion laughs")."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    doctype = "<!DOCTYPE soap:Envelope [\n" + "\n".join(entities) + "\n]>\n"
    return _with_doctype(payload, doctype, "&lol9;")


def external_entity(payload: etree._Element) -> bytes:
    """The answer with an external entity reading a local file (XXE)."""
    doctype = '<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    return _with_doctype(payload, doctype, "&xxe;")
