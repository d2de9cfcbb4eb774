"""The browser scanner's fixtures live in tests/support/browser_scanner.py, with its helpers."""

from tests.support.browser_scanner import scanner_hub

__all__ = ["scanner_hub"]
