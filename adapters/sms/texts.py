"""Chinese texts of the SMS the workflow sends; ID numbers always masked.

Result feedback after county approval (province rule 4): the pensioner is told
whether the certification passed and until when it is valid.
"""

from __future__ import annotations

from certhub.schemas import CertificationEvent, CertificationOutcome, mask_resident_id

__all__ = ["certification_result_text"]


def certification_result_text(event: CertificationEvent) -> str:
    """The SMS text telling ``event``'s pensioner the result of their certification."""
    person = event.person
    masked = mask_resident_id(person.id_number)
    if event.outcome is CertificationOutcome.certified:
        until = (
            f"，有效期至{event.valid_until:%Y年%m月%d日}" if event.valid_until is not None else ""
        )
        return (
            f"{person.name}您好，您（身份证号{masked}）的城乡居民基本养老保险待遇领取资格认证"
            f"已通过{until}。如有疑问请拨打12333。"
        )
    return (
        f"{person.name}您好，您（身份证号{masked}）的城乡居民基本养老保险待遇领取资格认证"
        "未通过，请携带身份证到户籍所在地社保经办机构或村（社区）协办员处办理。咨询电话12333。"
    )
