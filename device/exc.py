"""Everything that can go wrong on the unit and has a name: one module, one family.

Each driver kind has its own "not there" error, raised by the driver and by its chooser
(:mod:`device.drivers`); all are :class:`DriverUnavailable`, so the chooser's probe loop catches
one class whatever the kind.
"""

from __future__ import annotations


class UnitError(Exception):
    """Base of the unit's own errors."""


class DriverUnavailable(UnitError, RuntimeError):
    """A driver asked for (or probed) cannot be opened on this machine."""


class NoCamera(DriverUnavailable):
    """No frame source could be opened with the configuration given."""


class NoKeypad(DriverUnavailable):
    """The keypad asked for cannot be opened."""


class NoFeedback(DriverUnavailable):
    """The display or the lights asked for cannot be opened."""


class NoDecoder(DriverUnavailable):
    """The QR decoding engine asked for is not installed (or its system library is missing)."""


class NotAnImage(UnitError, ValueError):
    """A file given to the decoder is not a readable image."""


# The name the decoder's callers knew before this module existed.
DecoderUnavailable = NoDecoder
