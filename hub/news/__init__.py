""" "Mijn locatie" (issue 21): a location's news and newsletter, its team and its information pages.

    markdown.py  Markdown to sanitised HTML (markdown-it-py, then nh3 with a small list of tags)
    store.py     news, team and pages in the database; the newsletter's addresses
    routes.py    the location's /locaties/{id}/mijn-locatie and the parent's /ouders/locatie

Imports the parents feature (login, children, menu) and the photos feature's image re-encoding
(a team member's photo); neither imports this one.
"""
