"""Messages ("Berichten") between a child's parents and the location (issue 21).

    rules.py        pure: what an attachment is (by its bytes), the limits, the Dutch refusals
    threads.py      threads, messages, read state per person, unread counts, the inboxes
    attachments.py  files of a message: checked, stored outside the web root, read back
    routes.py       the parent's /ouders/berichten and the location's /locaties/{id}/berichten

This feature imports the parents feature (its login, its children, its menu); the parents feature
imports nothing of this one.
"""
