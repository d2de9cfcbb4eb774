"""Locations: opening hours, closing days and closed months."""
