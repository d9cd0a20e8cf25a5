"""Local reporting systems (地方个性化信息报告系统): city platforms pushing reports.

* :class:`YunfuPlatformAdapter` (``yunfu``): one signed JSON report per push,
  Chinese field names → ``EligibilityReport`` / ``ZeroReport``.
* :class:`ZhaoqingUploadAdapter` (``zhaoqing``): a town's monthly CSV (UTF-8
  with BOM or GBK), validated whole, accepted row by row.
"""

from .signed import PlatformConfig
from .yunfu import YunfuPlatformAdapter, report_from_native
from .zhaoqing import ZhaoqingUploadAdapter, detached
from .zhaoqing_csv import COLUMNS, REQUIRED, parse_monthly_csv

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "PlatformConfig",
    "YunfuPlatformAdapter",
    "ZhaoqingUploadAdapter",
    "detached",
    "parse_monthly_csv",
    "report_from_native",
]
