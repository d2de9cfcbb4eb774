"""The monthly upload to Kind en Gezin ("opgeladen gegevens"): one feature, from the batch to the answer.

The format and the rules, plain functions without I/O:
    batch.py        the batch of one location's month (versioned JSON) and the receiver's answer
    schema.py       its JSON Schemas and docs/upload.md, generated (``make docs``)
    csv_export.py   the same month as CSV for people
    validation.py   the checks before sending: time errors (red clock), data errors (red cloud)
    plan.py         what the next version carries: only what changed
    status.py       a month's status (wachtend, verzonden, aanvaard, fouten) and markers
    timing.py       the upload day, the months sent by themselves, the pauses between retries

Database, network and the running hub:
    month.py        a location's month as it would go now, read from the database
    store.py        every version, its records, each attempt and answer (never deleted)
    sender.py       one version over HTTP, with retries and doubling pauses
    sending.py      send_month / run_due / send_now / request_sending / run_requests
    views.py        what the screens read: month_detail / month_overview / month_log
    summary.py      the overview's kept summary per location and month (month_summaries), computed
                    with month_detail and kept until a change counted by migration 0029's triggers
    preview.py      the price-model preview and the administration CSV
    confirmations.py  confirm_warning; access.py the one access check
    service.py      all of these gathered (the screens, scheduler and CLI import from here)
    scheduler.py    the hub's thread that sends due months
    settings.py     the ``[upload]`` settings

The price models that the preview applies are in :mod:`hub.prices`; the "Opgeladen" screens in
:mod:`hub.upload.routes`.
"""
