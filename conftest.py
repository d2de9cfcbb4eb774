"""Shared fixtures for every test folder: tests/ (cross-cutting) and hub/<feature>/tests/.

The fixtures themselves live in tests/support/ as plugins, so a feature's tests use the same real
broker, database, browser and portal world as the end-to-end tests.
"""

pytest_plugins = (
    "tests.support.fixtures",
    "tests.support.browser",
    "tests.support.portal_world",
    "tests.support.billing",
    "tests.support.postgres",
)
