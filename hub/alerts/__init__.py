"""Alerts: a mail (through the durable outbox) and a banner on the overview when something needs a
person: a unit offline or with a growing backlog during opening hours, an upload refused by Kind
en Gezin, the hub's disk running low, a location-wide PIN lock. Each alert once, with a "resolved"
mail when it clears.

- :mod:`hub.alerts.rules`: what is wrong now, and what opens or resolves (pure, no I/O);
- :mod:`hub.alerts.facts`: reading the facts the rules need (database, disk);
- :mod:`hub.alerts.store`: the alerts kept (one open alert per key) and their mails, in one transaction;
- :mod:`hub.alerts.checker`: the periodic check the hub service runs;
- :mod:`hub.alerts.settings`: the ``[alerts]`` table of hub.toml.
"""
