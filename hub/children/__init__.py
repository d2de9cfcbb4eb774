"""Children, their locations and their contacts."""
