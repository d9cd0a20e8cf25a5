"""SMS texts the procedure sends (Chinese, never an ID number, names masked).

The texts carry no 短信签名 (【广东人社】): the SMS gateway prepends the sign
configured for the adapter (``sign_name``), so a text that brought its own
would show it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from certhub.schemas import CertificationEvent, PersonRef, TaskKind, VerificationTask


@dataclass(frozen=True, slots=True)
class Notice:
    """One SMS to send, idempotent by ``notice_id``; the gateway resolves the number."""

    notice_id: str
    person: PersonRef
    kind: str
    text: str


def masked_name(name: str) -> str:
    """Keep the surname (the first character, or the part before ``·``), mask the rest."""
    if "·" in name:
        head = name.split("·", 1)[0]
        return head + "·" + "*" * 2
    return name[:1] + "*" * max(1, len(name) - 1)


def family_termination_notice(task: VerificationTask, event_date: date) -> Notice:
    """Tell who the roster names the benefit ended and which one-time payment to claim: on
    a death the family, the funeral grant and the account's balance (inherited); on a
    loss of nationality the pensioner, who is alive, the account's balance alone (paid to
    them; no funeral grant is due).

    Decided here (before, a loss of nationality sent the death's text: the family of a
    living person told to claim a funeral grant). Both keep the notice's id and kind, so
    the checks at sending (:func:`termination_withdrawn`) hold alike.
    """
    name, ended = masked_name(task.person.name), f"{event_date:%Y年%m月%d日}"
    if task.kind is TaskKind.loss_of_nationality:
        text = (
            f"{name}您好：经核实，您已丧失中华人民共和国国籍，您的城乡居民基本养老保险待遇"
            f"自{ended}起终止。请携带相关材料到当地社保经办机构申领个人账户余额，"
            "并办理参保关系终止手续。"
        )
    else:
        text = (
            f"{name}家属您好：经核实，其城乡居民基本养老保险待遇自{ended}起终止。"
            "请携带相关材料到当地社保经办机构申领丧葬补助金和个人账户余额，"
            "并办理参保关系终止手续。"
        )
    return Notice(TERMINATION_PREFIX + task.task_id, task.person, "family_termination", text)


TERMINATION_PREFIX = "termination:"
"""The family's termination notice's id: ``termination:<task>``."""

STANDING_SUFFIX = ":standing"
"""The id of the same notice queued again when the restoration of its voided termination
is rejected (the termination stands again): ``termination:<task>:standing``."""


def termination_notice_task(notice_id: str) -> str | None:
    """The task whose termination a family's termination notice (the first, or the one
    queued again: :func:`standing_notice_id`) announces; None for any other notice."""
    if not notice_id.startswith(TERMINATION_PREFIX):
        return None
    return notice_id[len(TERMINATION_PREFIX) :].removesuffix(STANDING_SUFFIX)


def standing_notice_id(task_id: str) -> str:
    """The id of the family's termination notice of ``task_id`` queued again once the
    restoration of the voided termination is rejected: one of its own (the first's outbox
    row is delivered, withdrawn), the same for every rejection (queued at most once)."""
    return TERMINATION_PREFIX + task_id + STANDING_SUFFIX


def is_standing_notice(notice_id: str) -> bool:
    """Whether ``notice_id`` is a family's termination notice queued again."""
    return termination_notice_task(notice_id) is not None and notice_id.endswith(STANDING_SUFFIX)


def termination_withdrawn(task_id: str, *, closed_by: str | None, restoring: bool) -> str | None:
    """Why the family's termination notice of ``task_id`` must not be sent (None: send).

    Sent late (no number yet, the gateway down), it tells the family to claim the funeral
    grant and end the insurance: wrong once the termination no longer stands — the hub's
    closure names no longer this task (``closed_by``: restored, or replaced) or its
    restoration is under review (``restoring``: the departments withdrew what the death
    rested on).
    """
    if closed_by != task_id:
        return "the hub's termination of the task no longer stands"
    if restoring:
        return "the termination is voided: its restoration is under review"
    return None


class FirstNotice(StrEnum):
    """What became of the family's first termination notice, as delivered (recorded)."""

    WAITING = "waiting"  # not delivered yet: it goes out (or is withdrawn) on its own
    SENT = "sent"
    WITHDRAWN = "withdrawn"  # delivered, nothing sent


def first_notice(delivered_as: str | None, withdrawn_as: str) -> FirstNotice:
    """The first notice's fate from the destination its delivery was recorded under
    (``delivered_as``; ``withdrawn_as``: the one a withdrawal is recorded under)."""
    if delivered_as is None:
        return FirstNotice.WAITING
    return FirstNotice.WITHDRAWN if delivered_as == withdrawn_as else FirstNotice.SENT


def notice_withdrawn_for_good(notice_id: str, first: FirstNotice) -> str | None:
    """Why a family's termination notice must not be sent whatever the termination's state
    (None: decide by :func:`termination_withdrawn`): the first, once withdrawn, stays so
    (the one queued again tells the family); the one queued again is not sent once the
    first was (the family told before the void: never twice)."""
    standing = is_standing_notice(notice_id)
    if not standing and first is FirstNotice.WITHDRAWN:
        return "withdrawn already: the notice queued again tells the family"
    if standing and first is FirstNotice.SENT:
        return "the family was told before the void: the first notice was sent"
    return None


def notice_waits(notice_id: str, first: FirstNotice) -> bool:
    """Whether a family's termination notice queued again must wait for the first: not
    delivered yet, the first goes out on its own (the termination standing) — or is being
    withdrawn, read while the restoration was under review, and then this one tells the
    family. Either way, once."""
    return is_standing_notice(notice_id) and first is FirstNotice.WAITING


def certification_result_notice(
    event: CertificationEvent, item_id: int, rating_link: str | None = None
) -> Notice:
    """Tell the pensioner their certification was approved and until when it holds.

    With ``rating_link``, the text ends with the link to rate the service (好差评).
    """
    until = f"，有效期至{event.valid_until:%Y年%m月%d日}" if event.valid_until else ""
    rate = f"欢迎评价本次服务：{rating_link} " if rating_link else ""
    text = (
        f"{masked_name(event.person.name)}您好：您的养老保险待遇领取资格认证"
        f"已审核通过{until}。{rate}如有疑问请致电12333。"
    )
    return Notice(f"certification:{item_id}", event.person, "certification_result", text)


REMINDER_PREFIX = "reminder:"
"""A certification reminder's notice id: ``reminder:YYYY-MM:<slot>:<who>`` (its due month),
then ``:YYYY-MM`` when it names a later deadline (:func:`reminder_until_month`)."""


def reminder_due_month(notice_id: str) -> int | None:
    """The due month (month index) a certification reminder's notice id names; None for
    any other notice."""
    if not notice_id.startswith(REMINDER_PREFIX):
        return None
    label = notice_id[len(REMINDER_PREFIX) :].split(":", 1)[0]
    return _month(label)


def reminder_until_month(notice_id: str) -> int | None:
    """The month (index) by whose end a certification reminder asks to certify: its due
    month, or the later one its id names after the person (a verification that held the
    reminders cleared them late: liable later); None for any other notice."""
    due = reminder_due_month(notice_id)
    parts = notice_id[len(REMINDER_PREFIX) :].split(":")
    return _month(parts[3]) if due is not None and len(parts) > 3 else due


def _month(label: str) -> int:
    """The month index of ``YYYY-MM``."""
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


REMINDER_HOLDS: frozenset[str] = frozenset(
    {"death", "imprisonment", "missing", "loss_of_nationality"}
)
"""What, reported of a pensioner and still being verified (a task of that kind open or in
progress, or a report of that reason filed and not yet approved or rejected), holds their
certification reminders: each ends or stops the benefit once confirmed, and asking the
family of a person reported dead, in prison, missing or no longer a citizen to certify
while staff verify it is wrong (the comparison's 免办 holds them too). Not
``duplicate_receipt`` nor ``other``: the pensioner is alive and reachable, the proof of
life is still owed for the benefit that continues (and may settle an "other" report)."""


def reminder_withdrawn(
    due: int,
    *,
    status: str | None,
    due_month: int | None,
    closed: bool,
    verifying: str | None,
    month: int,
    until: int | None = None,
) -> str | None:
    """Why a reminder for due month ``due`` must not be sent in month ``month`` (None: send);
    ``until``: the later month by whose end it asks to certify, if it names one
    (:func:`reminder_until_month`).

    Decided here (an SMS sent wrongly): a reminder queued earlier waits in the outbox while
    the gateway is down or the roster has no number, and a dead letter is replayed later. By
    then the hub may have terminated the benefit (a death it confirmed: ``closed``), the
    roster may no longer say ``active`` (``status``, the register's), the pensioner may
    have certified (the register's ``due_month`` moved on) or the due month ended (overdue:
    "complete by the end of M" is no longer true), or a loss of eligibility may have been
    reported and be under verification (``verifying``: its kind, one of
    :data:`REMINDER_HOLDS`, as the sweep does not remind them), or confirmed with the hub's
    suspension standing (``"<kind> confirmed"``: an imprisonment, a disappearance). Each
    withdraws it. A
    reminder naming a later deadline (a verification that held the reminders cleared the
    person late) is withdrawn once that month ended, not the due month.
    """
    if closed or status != "active":
        return (
            f"the benefit is {'terminated by the hub' if closed else status or 'not on the roster'}"
        )
    if verifying is not None:
        return f"a report of the pensioner holds their reminders ({verifying})"
    if due_month != due:
        return "certified since: the register's due month moved on"
    if month > max(due, until or due):
        return "its due month has passed: the pensioner is overdue"
    return None
