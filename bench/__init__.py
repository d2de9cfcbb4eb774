"""Benchmarks: each module ``bench/NAME.py`` runs with ``make bench-NAME`` (``make bench`` runs all),
prints a table and writes its figures to ``bench/results/NAME.json``.

Speed is measured here, never asserted in the test suite.
"""
