"""Check-ins from the units: the MQTT link, the embedded broker, the ingest pipeline, junk (dead
letters), refused check-ins kept for a person and their "Geweigerd" screen."""
