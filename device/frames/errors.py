"""What can go wrong when opening a frame source."""


class NoCamera(RuntimeError):
    """No frame source could be opened with the configuration given."""
