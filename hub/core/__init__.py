"""The hub's base: the database, Brussels time, settings and free ports."""
