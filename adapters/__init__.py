"""Department adapters: one resilience policy, small role protocols, plug-ins by name.

The hub depends on the protocols and on :func:`create_adapters`; concrete
adapters are found through the ``certhub.adapters`` entry-point group and
imported on first use::

    from certhub.adapters import AdapterOptions, create_adapters
    adapters = create_adapters(settings.adapters, AdapterOptions(AdapterMetrics(registry)))

See :mod:`certhub.adapters.errors` for the error tree.
"""

from .base import Adapter, AdapterOptions
from .circuit import CircuitBreaker, CircuitState
from .config import AdapterConfig, PolicyConfig
from .errors import (
    AdapterError,
    AdapterNotFound,
    AdapterSetupError,
    BulkheadFull,
    CircuitOpen,
    DepartmentTimeout,
    DepartmentUnavailable,
    PermanentError,
    RequestRejected,
    ResponseInvalid,
    ResponseTooLarge,
    SignatureRejected,
    TransientError,
    UnsafePayload,
)
from .policy import ResiliencePolicy
from .protocols import (
    AccountVerifier,
    CancellationFeed,
    CertificationIngest,
    CertificationSource,
    CertificationStream,
    CertificationUplink,
    Closeable,
    IdentityVerifier,
    InboundTranslator,
    Notifier,
)
from .registry import (
    ENTRY_POINT_GROUP,
    adapter_names,
    create_adapter,
    create_adapters,
    load_adapter,
)
from .types import (
    AccountCheck,
    AccountVerdict,
    AccountVerification,
    CancellationPage,
    CancellationReason,
    CertificationPage,
    HouseholdCancellation,
    IdentityVerdict,
    IdentityVerification,
    InboundBatch,
    InboundItem,
    ItemError,
    Notification,
    NotificationReceipt,
    PersonCheck,
    RejectedRecord,
    UplinkReceipt,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "AccountCheck",
    "AccountVerdict",
    "AccountVerification",
    "AccountVerifier",
    "Adapter",
    "AdapterConfig",
    "AdapterError",
    "AdapterNotFound",
    "AdapterOptions",
    "AdapterSetupError",
    "BulkheadFull",
    "CancellationFeed",
    "CancellationPage",
    "CancellationReason",
    "CertificationIngest",
    "CertificationPage",
    "CertificationSource",
    "CertificationStream",
    "CertificationUplink",
    "CircuitBreaker",
    "CircuitOpen",
    "CircuitState",
    "Closeable",
    "DepartmentTimeout",
    "DepartmentUnavailable",
    "HouseholdCancellation",
    "IdentityVerdict",
    "IdentityVerification",
    "IdentityVerifier",
    "InboundBatch",
    "InboundItem",
    "InboundTranslator",
    "ItemError",
    "Notification",
    "NotificationReceipt",
    "Notifier",
    "PermanentError",
    "PersonCheck",
    "PolicyConfig",
    "RejectedRecord",
    "RequestRejected",
    "ResiliencePolicy",
    "ResponseInvalid",
    "ResponseTooLarge",
    "SignatureRejected",
    "TransientError",
    "UnsafePayload",
    "UplinkReceipt",
    "adapter_names",
    "create_adapter",
    "create_adapters",
    "load_adapter",
]
