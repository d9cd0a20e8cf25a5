"""What the restoration tests share: the pensioner, the amount and the accounts of their fixed
vectors. Each test module keeps its own dates and sums in view, beside its checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from certhub.mocks.population import Population
from certhub.schemas import BenefitRecord, Restoration


def restoration_of(requested_at: datetime, **fields: Any) -> Restoration:
    """Town staff's restoration of the tests' pensioner at 238.00 a month to the account on
    file, requested at ``requested_at``; ``fields`` give its dates and back pay."""
    base: dict[str, Any] = {
        "person": Population(seed=5).person(),
        "monthly_amount": "238.00",
        "bank_account": "6222021234567890123",
        "bank_account_on_file": "6222***********0123",
        "requested_by": {"id": "town-1", "role": "town_staff"},
        "requested_at": requested_at.isoformat(),
    }
    return Restoration.model_validate(base | fields)


def roster_of(r: Restoration, as_of: datetime, **fields: Any) -> BenefitRecord:
    """The province's entry for ``r``'s pensioner as of ``as_of``: 238.00 a month, the
    account on file; ``fields`` give its status and months."""
    base: dict[str, Any] = {
        "person": r.person,
        "monthly_amount": "238.00",
        "bank_account_on_file": "6222***********0123",
        "as_of": as_of,
    }
    return BenefitRecord.model_validate(base | fields)
