"""Provincial self-service channels: webhook callbacks → ``CertificationEvent``.

广东人社 app (``gdrs_app``), 粤省事 (``yueshengshi``), 粤智助 kiosks
(``yuezhizhu``) and social-security self-service terminals (``ss_terminal``),
each in its own JSON shape (:mod:`.shapes`), authenticated by HMAC-SHA256
with a per-channel secret and replay-protected (:mod:`.webhook`).
"""

from . import shapes, webhook
from .shapes import *  # noqa: F403 - republished whole, as shapes.__all__ lists it
from .webhook import *  # noqa: F403 - republished whole, as webhook.__all__ lists it

# The package's surface is its two modules', each listed once where it is defined.
__all__ = shapes.__all__ + webhook.__all__
