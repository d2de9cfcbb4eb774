"""Check-ins from the units: the MQTT link, the embedded broker, the ingest pipeline, dead letters."""
