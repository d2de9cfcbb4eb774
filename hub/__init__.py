"""The hub: MQTT ingest into SQLite, the attendance rules and the web portal."""

__version__ = "0.1.0"
