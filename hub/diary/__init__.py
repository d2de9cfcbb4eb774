"""The child's day ("Dagboek", issue 21): staff enter meals, sleep, nappies, mood and notes on the
group's tablet for the children present now; parents read each child's day.

    rules.py    pure: the kinds of entry, their Dutch words and choices, checking an entry
    entries.py  the entries in the database
    routes.py   the tablet screen /locaties/{id}/dagboek and the parent's /ouders/dagboek

Imports the parents feature (login, children, menu) and "Nu aanwezig" (who is present now); neither
imports this one.
"""
