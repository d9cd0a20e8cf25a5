"""SMS gateway (短信网关): the notifier for certification result feedback."""

from .adapter import SmsConfig, SmsGatewayAdapter
from .texts import certification_result_text

__all__ = ["SmsConfig", "SmsGatewayAdapter", "certification_result_text"]
