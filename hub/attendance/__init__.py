"""Attendance: the raw check-in log, and what is derived from it (per child, per day).

Rules, plain functions without I/O:
    pairing.py       arrivals and departures -> presence intervals per Brussels day
    cells.py         one cell's state (green, red, grey +, "nu aanwezig", closed) and hours
    windows.py       who may correct how far back; the deadline of the 7th
    clock_repair.py  re-timing events of a unit whose clock was not synced; "tijd onzeker"; time refusals
    presence_rules.py  directions chosen by presence re-derived from the day's registrations

Store and services:
    events.py         the immutable event log (stored once per event id)
    days.py           intervals per cell, derived on read from events and corrections
    grid.py           month_grid / period_grid: children x days for the overview
    corrections.py    cell_detail / apply_correction, with the windows enforced
    closed_months.py  close_month / reopen_month
    unknown_cards.py  scans of cards no child has ("onbekende kaart")
    clock_queries.py  clock repair's SQL: anchors, re-timing, releasing uncertain check-ins
    presence.py       presence versions and the retained presence message to the units
    uncertain.py      "tijd onzeker": the check-ins waiting for a time, placing and discarding them
"""
