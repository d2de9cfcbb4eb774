"""Attendance: the raw check-in log, and what is derived from it (per child, per day)."""
