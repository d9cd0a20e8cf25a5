"""A question for the province about a proof of life dated before a confirmed death, as a
strict xfail (decision wanted)."""

from __future__ import annotations

from procedurekit import Office, month_day
from questionkit import decision_wanted


@decision_wanted("a certification dated before a confirmed death reopens the death")
async def test_a_certification_before_the_death_is_no_proof_against_it(office: Office) -> None:
    """A pensioner certified in the app on the 5th of M(-2) and died on the 20th of M(-2);
    the county confirmed the death. The app's record of the 5th reaches the hub only now
    (a channel's late batch). The hub holds it — no SMS, nothing upward — and opens a death
    verification task for people: "verify the death; it may be a living person's proof
    against a false death" (README, "A counter or home-visit certification of a person whose
    death the hub confirmed"). But proof of life on the 5th says nothing against a death on
    the 20th: the county is asked to re-verify a death no record contradicts (the task's
    deadline, reminders and escalation follow). Question: should only a certification dated
    after the death's day reopen it (proposed: one on or before that day is kept and held as
    now, no verification opened)?"""
    person = office.people.person()
    await office.roster(person, contact_mobile="13800138000")
    await office.confirmed_death(person, month_day(-2, 20))
    await office.certified_in_app(person, f"{month_day(-2, 5).isoformat()}T10:00:00+08:00")
    status, page = await office.get("/v1/verification-tasks", status="open")
    assert status == 200, page
    assert [t["task_id"] for t in page["items"]] == []  # the hub: one death task, held.…
