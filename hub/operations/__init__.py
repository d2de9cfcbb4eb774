"""Running the hub for real: online backups and restore, retention and erasure.

- ``lock.py``: the data folder's lock; a running hub holds it, restore needs it free.
- ``backup.py``: ``aanwezig-hub backup DIR`` and ``aanwezig-hub restore FILE``.
- ``rotation.py`` (pure): which backups a rotation keeps.
- ``retention_rules.py`` (pure) and ``retention.py``: what has expired, and erasing it.
"""
