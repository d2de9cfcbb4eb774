"""Helpers for tests that run real processes: Mosquitto, the hub, units."""
