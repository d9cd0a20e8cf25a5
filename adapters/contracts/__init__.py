"""Contract files shared by adapters and mocks: WSDL/XSD and OpenAPI documents.

Data only — no code. Mocks read these files by path (they never import
adapters), so the mock and the adapter validate against the very same bytes.
"""

from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parent
"""Folder holding ``eid.wsdl``, ``eid.xsd``, ``ministry.openapi.json`` and ``sms.openapi.json``."""
