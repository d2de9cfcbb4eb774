"""Staff: personal logins per organisator and their roles ("Medewerkers"), and (later) staff
presence. The rules of who may manage whom are in :mod:`hub.staff.rules` (no I/O); the database
work in :mod:`hub.staff.service`; the pages in :mod:`hub.staff.routes`. Logging in and the
one-time links are the accounts' (:mod:`hub.accounts`).
"""
