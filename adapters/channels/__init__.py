"""Provincial self-service channels: webhook callbacks → ``CertificationEvent``.

广东人社 app (``gdrs_app``), 粤省事 (``yueshengshi``), 粤智助 kiosks
(``yuezhizhu``) and social-security self-service terminals (``ss_terminal``),
each in its own JSON shape (:mod:`.shapes`), authenticated by HMAC-SHA256
with a per-channel secret and replay-protected (:mod:`.webhook`).
"""

from .shapes import GdrsAppAdapter, SsTerminalAdapter, YueshengshiAdapter, YuezhizhuAdapter
from .webhook import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelConfig,
    ChannelWebhookAdapter,
    ReplayGuard,
    sign_callback,
)

__all__ = [
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "ChannelConfig",
    "ChannelWebhookAdapter",
    "GdrsAppAdapter",
    "ReplayGuard",
    "SsTerminalAdapter",
    "YueshengshiAdapter",
    "YuezhizhuAdapter",
    "sign_callback",
]
