"""Ministry certification system / national social-insurance platform: REST adapter."""

from .adapter import MinistryAdapter, MinistryConfig

__all__ = ["MinistryAdapter", "MinistryConfig"]
