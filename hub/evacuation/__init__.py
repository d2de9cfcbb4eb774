"""The evacuation list ("Nu aanwezig"): the children in the building now at one location, with
their contacts' phone numbers and what matters in an emergency, printable on one or a few pages.

- ``queries.py``: who is present (from today's registrations, as the overview judges them) and
  the emergency details of each child.
- ``routes.py``: the page ``/locaties/{location}/nu-aanwezig``; its print stylesheet is
  ``hub/web/static/evacuation.css``.
"""
