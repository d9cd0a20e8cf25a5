"""Questions about enrolment that need the province's answer (strict xfails)."""

from __future__ import annotations

from enrolkit import A, County, Phone
from questionkit import decision_wanted


@decision_wanted(
    "the county enrols its village coordinators in one session in "
    "the county hall, every phone behind the hall's one address (its Wi-Fi, or one mobile "
    "carrier's NAT): one typo each by ten coordinators locks the whole room out for up to "
    "10 minutes (enrolment-rate-limited, 尝试次数过多). Raise the per-address bound, bound "
    "guesses otherwise (the overall bound already stops a spread guesser), or accept it?"
)
async def test_ten_typos_in_a_county_enrolment_session_do_not_lock_out_the_hall(
    county: County,
) -> None:
    status, issued = await county.request_code("county-x", village=A)
    assert status == 201, issued
    code = issued["code"]  # 1234-5678-9012: ten coordinators each mistype one digit of theirs
    typos = [f"{(int(code[0]) + n) % 10}{code[1:]}" for n in range(1, 10)]
    for typo in [*typos, f"{code[:-1]}{(int(code[-1]) + 1) % 10}"]:
        await county.enrol(typo, Phone().webcrypto_jwk())  # refused, counted against the hall
    status, body = await county.enrol(issued["code"], Phone().webcrypto_jwk())
    assert status == 201, body
