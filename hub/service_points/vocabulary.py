"""The e-map's words: Chinese labels of kinds, methods and access features, and column aliases.

One table, used by the import (a province's list may say 粤智助 or 人脸识别
where the API says ``yuezhizhu_kiosk`` or ``face``) and by the API, which
sends the labels with each point so the page carries no copy of them.
"""

from __future__ import annotations

from typing import Final

from certhub.hub.service_points.model import Access, PointKind, PointStatus
from certhub.schemas import CertificationMethod

KIND_LABELS: Final = {
    PointKind.yuezhizhu_kiosk: "粤智助政府服务自助机",
    PointKind.si_terminal: "社保自助终端",
    PointKind.bank_branch: "合作银行网点",
    PointKind.bank_terminal: "合作银行自助终端",
    PointKind.township_counter: "镇（街）社保服务窗口",
}
METHOD_LABELS: Final = {
    CertificationMethod.face: "人脸识别",
    CertificationMethod.fingerprint: "指纹认证",
    CertificationMethod.finger_vein: "指静脉认证",
    CertificationMethod.counter: "柜面认证",
    CertificationMethod.home_visit: "预约上门认证",
    CertificationMethod.social_org: "社会化服务机构认证",
}
ACCESS_LABELS: Final = {
    Access.step_free: "无障碍通道",
    Access.accessible_toilet: "无障碍卫生间",
    Access.staff_assistance: "有工作人员协助",
    Access.seating: "设等候座位",
    Access.large_text: "大字适老界面",
}
STATUS_LABELS: Final = {
    PointStatus.active: "正常服务",
    PointStatus.inactive: "暂停使用",
    PointStatus.defunct: "已撤销",
    PointStatus.temporarily_closed: "临时关闭",
}

# CSV header names: the English field name, or the Chinese one a province's list uses.
COLUMN_ALIASES: Final = {
    "编号": "id",
    "类型": "kind",
    "名称": "name",
    "地址": "address",
    "区县代码": "county",
    "纬度": "lat",
    "经度": "lon",
    "认证方式": "methods",
    "开放时间": "hours",
    "无障碍设施": "accessibility",
    "运营单位": "organization",
    "电话": "phone",
    "状态": "status",
}
FIELDS: Final = (
    "id", "kind", "name", "address", "county", "lat", "lon", "methods", "hours",
    "accessibility", "organization", "phone", "status",
)  # fmt: skip
REQUIRED: Final = FIELDS[:9]
LIST_FIELDS: Final = frozenset({"methods", "accessibility"})

# Values in a cell: the code itself, or its Chinese label.
VALUE_ALIASES: Final[dict[str, dict[str, str]]] = {
    "kind": {label: kind.value for kind, label in KIND_LABELS.items()},
    "methods": {label: method.value for method, label in METHOD_LABELS.items()},
    "accessibility": {label: access.value for access, label in ACCESS_LABELS.items()},
    "status": {label: status.value for status, label in STATUS_LABELS.items()},
}
