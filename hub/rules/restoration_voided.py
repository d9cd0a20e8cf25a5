"""The checks only a restoration of a *voided* termination needs (rule 7, money safety).

Lifting the hub's closure resumes payment to someone the hub stopped paying on a false
death: nothing else the hub decided about the person may be lifted with it. A finding
confirmed while the termination stood (:func:`check_findings`), a non-certification
suspension the hub approved and no certification has ended (:func:`check_not_certified`),
another verification of the person still open (:func:`check_open_tasks`), the person
overdue for certification whatever the roster says (:func:`check_not_overdue`) and, when
the roster says suspended, any other cause the suspension may have
(:func:`check_suspension_lift`) each refuse it. Re-exported by
:mod:`certhub.hub.rules.restoration`, which checks the figures.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from certhub.hub.rules.months import month_index, month_label, parse_month
from certhub.hub.rules.restoration_findings import check_open_verification
from certhub.schemas import BenefitRecord, Refusal

__all__ = [
    "OtherCauses",
    "VoidedTermination",
    "check_findings",
    "check_not_certified",
    "check_not_overdue",
    "check_open_tasks",
    "check_suspension_lift",
    "check_voided_lift",
]


@dataclass(frozen=True, slots=True)
class VoidedTermination:
    """The hub's termination of a benefit whose sources were all withdrawn (found voided).

    ``effective_from`` is the termination's in force (the confirmed event date, or the
    earlier one an approved amendment moved it to): the day the benefit stopped.
    ``recovered`` lists the months (``YYYY-MM``) recovered from the person as
    overpayment. ``findings`` names the person's other verification tasks confirmed
    while the termination stood (``"<kind> <task id>"``), or suspended by the
    hub before it with no approved restoration since (see :func:`check_findings`).
    ``not_certified`` names a suspension for non-certification the hub approved and no
    passed certification has ended since, if any (see :func:`check_not_certified`).
    ``open_tasks`` names the person's verification tasks still open (``"<kind> <task
    id>"``): a second death reported, an imprisonment, … under verification (see
    :func:`check_open_tasks`).
    """

    task_id: str
    effective_from: date
    recovered: Collection[str] = ()
    findings: tuple[str, ...] = ()
    not_certified: str | None = None
    open_tasks: tuple[str, ...] = ()
    back_paid: Collection[str] = ()
    """Months (``YYYY-MM``) paid besides the roster: back-paid by approved restorations, or
    claimed as paid by a task (the estate's back pay a death moved later states)."""

    def unpaid_from(self, first: int) -> int:
        """The first month (an index) from ``first`` not back-paid already: a void that moved
        the death later paid the months up to the new date to the estate (claimed under the
        task), and withdrawing the rest makes them no more owed than paid again. Before,
        the proposal planned them again and every approval was ``months-already-counted``:
        the living pensioner's later months and regular payment never restored."""
        paid = {month_index(parse_month(m)) for m in self.back_paid}
        while first in paid:
            first += 1
        return first


def check_voided_lift(voided: VoidedTermination) -> None:
    """The checks lifting ``voided`` makes first, whatever the roster says, in this order: a
    finding (:func:`check_findings`), a non-certification suspension
    (:func:`check_not_certified`), a verification still open (:func:`check_open_tasks`).
    The person overdue (:func:`check_not_overdue`) is checked after the roster's own
    suspension (:func:`check_suspension_lift`: one begun before the termination says so)."""
    check_findings(voided)
    check_not_certified(voided)  # the roster cannot show this suspension
    check_open_tasks(voided)  # the person may yet be found dead


def check_findings(voided: VoidedTermination) -> None:
    """Refuse restoring a voided termination over a finding confirmed while it stood.

    Decided here (rule 7, money safety): an imprisonment, disappearance, … the county
    confirmed while the benefit was (wrongly) terminated was recorded with no suspension
    or termination of its own — there was no payment to stop. Restoring payment would
    ignore it, so the hub restores nothing while such a finding stands: the person's
    eligibility is for staff to settle first, outside this check. Raises
    ``restoration-finding-confirmed``.
    """
    if voided.findings:
        raise Refusal(
            "restoration-finding-confirmed",
            f"confirmed while the termination by task {voided.task_id} stood, with no "
            f"disposal of its own: {', '.join(voided.findings)}; the hub does not restore "
            "payment over it",
        )


def check_not_certified(voided: VoidedTermination) -> None:
    """Refuse restoring a voided termination over a standing non-certification suspension.

    Decided here (rule 7, money safety): the county approved suspending the person for not
    certifying (the register's suspension proposal) and the person has not passed a
    certification since. The false death does not end that suspension, and the roster
    shows no trace of it once the province applied the termination (``terminated``) or
    never applied the suspension (``active``): lifting the closure would back-pay and
    resume payment to someone who never proved to be alive. Whatever the roster says, the
    hub restores nothing until a passed certification ends the suspension. Raises
    ``restoration-other-suspension``.
    """
    if voided.not_certified is not None:
        raise Refusal(
            "restoration-other-suspension",
            f"the person is suspended for non-certification ({voided.not_certified}) with no "
            f"passed certification since; lifting the termination by task {voided.task_id} "
            "would pay them: a passed certification ends it",
        )


def check_open_tasks(voided: VoidedTermination) -> None:
    """Refuse restoring a voided termination while another verification of the person is open.

    A second department's death record, a death reported again after the void, an
    imprisonment, … may yet be confirmed: whatever the roster says, the closure waits
    (the one check every restoration makes,
    :func:`certhub.hub.rules.restoration_findings.check_open_verification`; confirmed
    meanwhile: ``restoration-finding-confirmed``). Raises ``restoration-verification-open``.
    """
    check_open_verification(
        voided.open_tasks, f"the termination by task {voided.task_id} is not lifted"
    )


@dataclass(frozen=True, slots=True)
class OtherCauses:
    """What else the hub knows that could explain a suspension the roster shows.

    The province's roster says *that* a benefit is suspended, never why. ``due_month``
    is the register's (the month index of ``months.month_index``, None: never
    certified); ``grace_months`` the whole months after it before the person is liable
    to suspension (``CERTHUB_REGISTER_GRACE_MONTHS``). A verification task still open
    refuses whatever the roster says (:func:`check_open_tasks`).
    """

    due_month: int | None = None
    grace_months: int = 0


def check_suspension_lift(
    voided: VoidedTermination, roster: BenefitRecord, others: OtherCauses | None, *, on: date
) -> None:
    """Refuse unless the roster's suspension can only be the voided termination's doing.

    Decided here (rule 7, money safety): the province may have applied the hub's
    termination as a suspension. Lifting it with the closure is the hub's business
    only when the suspension began on or after the day the termination took effect
    (one that began before it had another cause), the person is not overdue for
    certification on ``on`` (the due month has not passed: otherwise the suspension
    may be, or would now be, for non-certification — a passed certification moves the
    due month and clears this); a verification task still open is refused before this,
    whatever the roster says (:func:`check_open_tasks`). ``others`` None: not looked up,
    refused. Raises ``restoration-other-suspension``.
    """
    since = roster.suspended_since
    if since is None or since < voided.effective_from:
        raise Refusal(
            "restoration-other-suspension",
            f"the roster's suspension began {since.isoformat() if since else '?'}, before the "
            f"termination by task {voided.task_id} took effect "
            f"({voided.effective_from.isoformat()}): it has another cause, not the hub's to lift",
        )
    if others is None:
        raise Refusal(
            "restoration-other-suspension",
            "the other causes of the roster's suspension could not be looked up",
        )
    check_not_overdue(others, on=on)


def check_not_overdue(others: OtherCauses | None, *, on: date) -> None:
    """Refuse lifting a voided termination for a person overdue for certification on ``on``.

    Decided here (rule 7, money safety; 粤人社规〔2023〕4号): the register's due month has
    passed (``others.due_month``, the 12th month after the last passed certification) and
    its grace months with it (``others.grace_months``: liable to suspension), so the person
    has not proved to be alive for a cycle. Whatever the roster says: suspended,
    the suspension may be for non-certification; ``terminated`` or ``active``, the register
    never proposed it only because the hub's closure stood (a terminated benefit is never
    overdue or proposed) — and a department withdrawing its record of the death proves no
    one alive. Last certified on the 15th of M-14 (due M-2, liable from the 1st of M-1), a
    false death of the 3rd of M-2 voided in M-1: lifting it would back-pay M-1 (238.00)
    and resume payment from M0 to someone last seen 14 months ago. A passed certification
    moves the due month on and clears this. ``others`` None (not looked up): nothing known
    to refuse on here (:func:`check_suspension_lift` refuses a suspended roster without it).
    Raises ``restoration-other-suspension``.
    """
    if others is None or others.due_month is None:
        return  # never certified: the register has no due month to be past (not proposed)
    if month_index(on) > others.due_month + others.grace_months:  # liable to suspension
        raise Refusal(
            "restoration-other-suspension",
            f"the person is overdue for certification (due {month_label(others.due_month)}): "
            "not proved alive since; the suspension may be, or would now be, for "
            "non-certification; a passed certification clears this",
        )
