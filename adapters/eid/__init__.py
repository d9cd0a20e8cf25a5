"""Public-security e-ID licence service (公安电子证照): SOAP adapter through zeep."""

from .adapter import EidAdapter, EidConfig

__all__ = ["EidAdapter", "EidConfig"]
