"""All checks of a run, in one place, for `gongkai check` and the build."""

from __future__ import annotations

import datetime as dt

from .column_check import check_columns
from .config import PortalConfig
from .content_check import check_content
from .findings import Findings
from .interpretation_check import check_interpretations
from .loader import load_portal
from .portal import Portal


def run_checks(config: PortalConfig, as_of: dt.date) -> tuple[Portal, Findings]:
    findings = Findings()
    portal = load_portal(config, as_of, findings)
    check_interpretations(portal, findings)
    check_columns(portal, findings)
    check_content(portal, findings)
    return portal, findings
