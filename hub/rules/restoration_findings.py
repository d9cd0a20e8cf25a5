"""What the hub itself found about a person, checked by every restoration (rule 7, money safety).

The province's roster says *that* a benefit is suspended, never what the hub found since:
an imprisonment or a disappearance the county confirmed (the hub signed a suspension of
its own, which the roster shows only at the province's next entry) and a verification
still open (a death reported, …) may stand behind a suspension staff restore. A
restoration — of the province's suspension or of a voided termination — is checked
against both at the request and again at each decision, since either may change in
between: a verification still open (:func:`check_open_verification`) and a suspension the
hub decided that no approved restoration has ended (:func:`check_hub_suspensions`). A
voided termination refuses any finding outright
(:mod:`certhub.hub.rules.restoration_voided`). A restoration after an imprisonment may
state the release — the sentence's actual end, with its evidence — which the hub then
reads as the end of the sentence (:func:`check_release`): a confirmation with no end
stated is otherwise never restored. Back pay of the province's suspension of the hub's own
imprisonment or disappearance may start with the event's month when it is owed
(:func:`back_pay_start`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from certhub.hub.rules.months import month_index, month_label, months_in, parse_month
from certhub.schemas import BenefitRecord, Refusal, Restoration, Suspension, SuspensionReason

__all__ = [
    "HubFindings",
    "HubSuspension",
    "back_pay_start",
    "check_hub_suspensions",
    "check_not_back_paid_after",
    "check_open_verification",
    "check_release",
    "sentence_end",
    "served_until",
]

_UNTIL = re.compile(r"until (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True, slots=True)
class HubSuspension:
    """A suspension the hub signed on a confirmed task that no restoration approved since
    has ended. ``task`` names it (``"<kind> <task id>"``); ``effective_from`` is the event
    date (None: the signed suspension cannot be read back); ``until`` the sentence's last
    day as the confirmation stated it (``suspend_until``; None: no end stated)."""

    task: str
    reason: SuspensionReason
    effective_from: date | None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class HubFindings:
    """What the hub knows of the person beyond the roster: verification tasks still open
    (``"<kind> <task id>"``, read by key per kind), the suspensions it decided that
    stand (:class:`HubSuspension`) and the months (``YYYY-MM``) recovered as overpayment:
    paid, so never back-paid (a release refunds what was recovered of them instead)."""

    open_tasks: tuple[str, ...] = ()
    suspensions: tuple[HubSuspension, ...] = ()
    recovered: frozenset[str] = frozenset()


def sentence_end(suspension: Suspension) -> date | None:
    """The last day of the sentence the hub's own suspension states (its disposal writes
    ``until YYYY-MM-DD`` in the remarks, :func:`certhub.hub.rules.disposal.dispose`); None
    when it states none."""
    found = _UNTIL.fullmatch(suspension.remarks or "")
    return date.fromisoformat(found.group(1)) if found else None


def served_until(
    found: HubSuspension, suspensions: Collection[HubSuspension], released: date | None
) -> date | None:
    """The last day of imprisonment ``found``'s sentence an approval stating ``released``
    reads: the release — unless the confirmation stated an end (``until``) before another
    imprisonment among ``suspensions`` began, then that stated end.

    Decided here (rule 7, money safety): a person jailed twice — the first sentence stated
    to end on the last day of M-7, jailed again on the 10th of M-4, released on the last
    day of M-2 — came out of the second prison; read as the end of the first too, the months
    free in between (M-6..M-4) were recovered as prison months.
    """
    stated = found.until
    if released is None or stated is None or stated >= released:
        return released or stated
    again = any(
        s.reason is SuspensionReason.imprisonment
        and s.effective_from is not None
        and s.effective_from > stated
        for s in suspensions
    )
    return stated if again else released


def back_pay_start(
    suspended_since: date,
    roster: BenefitRecord,
    hub: HubFindings,
    paid: Collection[str],
    *,
    resumed: Collection[str] = (),
    after_roster: Collection[str] = (),
) -> date:
    """The first day back pay of the province's suspension since ``suspended_since`` may
    cover: the first of that month when the month is owed, else ``suspended_since``.

    Decided here (rule 7, money safety; a month unpaid is as wrong as one paid twice): the
    month is owed when the suspension is the hub's own — an imprisonment or a disappearance
    it confirmed on that very day, standing in ``hub`` — for its event's month is payable
    (:func:`certhub.hub.rules.disposal.overpaid` recovers only the months after it, for
    either), and the province never paid it: after ``paid_through`` (the roster stopped
    earlier: a termination since voided), not claimed paid (``paid``: approved back pay,
    months a task claimed as paid) nor recovered as overpayment (``hub.recovered``), and no
    other restoration resumes payment in it, or before it unseen by the roster entry
    (``resumed``, ``after_roster``: the province pays from that month on). The
    approval claims the month as back-paid, so a rewritten ``paid_through`` pays it no
    second time. Any other suspension — the province's own, a non-certification one —
    back-pays from ``suspended_since`` on, as before.
    """
    month = month_index(suspended_since)
    own = any(
        s.effective_from == suspended_since
        and s.reason in (SuspensionReason.imprisonment, SuspensionReason.missing)
        for s in hub.suspensions
    )
    label = month_label(month)
    resumes = {month_index(parse_month(m)) for m in resumed if m == label or m in after_roster}
    owed = (
        own
        and month > month_index(parse_month(roster.paid_through))
        and label not in paid
        and label not in hub.recovered
        and not any(i <= month for i in resumes)
    )
    return suspended_since.replace(day=1) if owed else suspended_since


def check_not_back_paid_after(restore_from: date, back_paid: Collection[str]) -> None:
    """Refuse resuming payment before a month a restoration not rejected back-pays.

    Decided here (issue 13: a month is paid at most once): the province pays regularly from
    ``restore_from``'s month on, so no month from it on may be back pay too (``back_paid``:
    the person's months claimed as back pay; those of an earlier suspension all come before
    this one's start, hence before ``restore_from``). Raises ``months-already-counted``.
    """
    resumes = month_index(restore_from)
    if taken := sorted(m for m in back_paid if month_index(parse_month(m)) >= resumes):
        raise Refusal(
            "months-already-counted",
            f"{taken[0]}..{taken[-1]} were back-paid by another restoration: payment resumed "
            f"from {month_label(resumes)} would pay them twice; resume after {taken[-1]}",
        )


def check_open_verification(open_tasks: Collection[str], held: str) -> None:
    """Refuse while another verification of the person is open; ``held`` says what waits.

    Decided here (rule 7, money safety): a death reported, an imprisonment, … still under
    verification may yet be confirmed — back pay and resumed payment would then go to
    someone dead, imprisoned or gone. Whatever the roster says, the hub restores nothing
    until the county settles it (cleared: restored as before; confirmed, refused as a
    finding), and the decision may be taken again then. Raises
    ``restoration-verification-open``.
    """
    if open_tasks:
        raise Refusal(
            "restoration-verification-open",
            f"verification of the person still open ({', '.join(sorted(open_tasks))}): "
            f"{held} until it is settled",
        )


def check_hub_suspensions(
    restoration: Restoration, suspensions: Collection[HubSuspension], *, on: date
) -> None:
    """Refuse a restoration that would pay over a suspension the hub decided and that stands.

    Decided here (rule 7, money safety), for each such suspension, event date ``E``:

    * imprisonment — prison months are those after ``E``'s month (payable: a benefit is
      paid for the month of the event) through the month the sentence ends in (``until``:
      payable again from the month after release, as the disposal recovers). The hub
      restores only a sentence served (``until`` before ``on``): no back-paid month may be
      a prison month, and payment resumes (``restore_from``) after the release month. No
      end stated and no release: every month after ``E``'s is a prison month, nothing is
      restored;
    * missing — the person reappearing is restored by a restoration of that very
      suspension (``suspended_since`` is ``E``: staff attest they were found, and the
      months missing are owed); a restoration of any other suspension would pay over it;
    * a suspension whose signed record the hub cannot read back is never restored over.

    A release the restoration states (:func:`check_release`) is the end of every
    imprisonment's sentence (``until`` replaced, stated or not); it ends no other
    suspension. Raises ``restoration-finding-confirmed`` (and :func:`check_release`'s
    refusals).
    """
    released = check_release(restoration, suspensions, on=on)
    for found in suspensions:
        if found.effective_from is None:
            _refuse(found, "its signed suspension cannot be read back")
        elif found.reason is SuspensionReason.imprisonment:
            until = found.until if released is None else released
            _check_sentence(
                restoration, found, found.effective_from, until=until, on=on, released=released
            )
        elif restoration.suspended_since != found.effective_from:
            _refuse(
                found,
                f"suspended from {found.effective_from.isoformat()}; only a restoration of "
                "that suspension ends it",
            )


def check_release(
    restoration: Restoration, suspensions: Collection[HubSuspension], *, on: date
) -> date | None:
    """The release the restoration states, once it fits the imprisonments that stand.

    Decided here (rule 7, money safety; issue: a released pensioner left unpaid is as
    wrong as a paid prisoner): staff state the day the person came out of prison
    (``released_on``, the sentence's actual end, early or late) with its evidence; town
    staff accept it and the county approves it with the restoration. It is read only
    against an imprisonment the hub suspended and no approved restoration ended
    (``restoration-no-imprisonment`` otherwise: nothing to end, and it ends no other
    suspension — a disappearance stays restored only by its own restoration), and must
    fall on or after each such imprisonment's day and not after ``on``, the day of the
    check (``restoration-release-invalid``). None: no release stated.
    """
    released = restoration.released_on
    if released is None:
        return None
    jailed = [s for s in suspensions if s.reason is SuspensionReason.imprisonment]
    if not jailed:
        raise Refusal(
            "restoration-no-imprisonment",
            f"released on {released.isoformat()}, but no imprisonment the hub suspended "
            "the person for stands (never confirmed, or a restoration approved since ended "
            "it): a release ends nothing else",
        )
    if released > on:
        raise Refusal(
            "restoration-release-invalid",
            f"released on {released.isoformat()}: in the future (today is {on.isoformat()})",
        )
    for found in jailed:
        if found.effective_from is not None and released < found.effective_from:
            raise Refusal(
                "restoration-release-invalid",
                f"released on {released.isoformat()}, before the imprisonment of "
                f"{found.effective_from.isoformat()} ({found.task})",
            )
    return released


def _check_sentence(
    restoration: Restoration,
    found: HubSuspension,
    jailed: date,
    *,
    until: date | None,
    on: date,
    released: date | None,
) -> None:
    if until is None:
        _refuse(found, f"imprisoned from {jailed.isoformat()}, no end of sentence stated")
    if released is None and until >= on:
        _refuse(found, f"the sentence runs to {until.isoformat()}: not served yet")
    first, last = month_index(jailed) + 1, month_index(until)
    back_paid = months_in(restoration.back_pay_from, restoration.back_pay_to)
    prison = [m for m in back_paid if first <= month_index(parse_month(m)) <= last]
    if prison:
        _refuse(found, f"{prison[0]}..{prison[-1]} are prison months, never paid")
    if month_index(restoration.restore_from) <= last:
        _refuse(
            found,
            f"payment resumes after the release month {month_label(last)}, "
            f"not {restoration.restore_from:%Y-%m}",
        )


def _refuse(found: HubSuspension, why: str) -> NoReturn:
    raise Refusal(
        "restoration-finding-confirmed",
        f"the hub suspended the person on {found.task} ({found.reason.value}): {why}; "
        "the hub does not restore payment over it",
    )
