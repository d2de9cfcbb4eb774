"""The upload's services, gathered for the screens, the scheduler and the command line. Each checks
itself that the actor may see or touch the location (:mod:`hub.upload.access`).

    sending.py        send_month, run_due, request_sending, run_requests, send_now, SendResult, outcome_nl
    views.py          month_detail, month_overview, month_log (SentVersion, MonthLog), visible_locations
    preview.py        preview (ChildPreview), administration_csv
    confirmations.py  confirm_warning

A child's school start (``record_school_start``) is the children's: :mod:`hub.children.service`.
"""

from __future__ import annotations

from hub.children.service import record_school_start
from hub.upload.confirmations import confirm_warning
from hub.upload.preview import CREDIT_NL, ChildPreview, administration_csv, preview
from hub.upload.sending import (
    HELD_BACK,
    OUTCOME_NL,
    Pause,
    SendOutcome,
    SendResult,
    outcome_nl,
    request_sending,
    run_due,
    run_requests,
    send_month,
    send_now,
    sleep_pause,
)
from hub.upload.views import MonthLog, SentVersion, month_detail, month_log, month_overview, visible_locations

__all__ = [
    "CREDIT_NL",
    "HELD_BACK",
    "OUTCOME_NL",
    "ChildPreview",
    "MonthLog",
    "Pause",
    "SendOutcome",
    "SendResult",
    "SentVersion",
    "administration_csv",
    "confirm_warning",
    "month_detail",
    "month_log",
    "month_overview",
    "outcome_nl",
    "preview",
    "record_school_start",
    "request_sending",
    "run_due",
    "run_requests",
    "send_month",
    "send_now",
    "sleep_pause",
    "visible_locations",
]
