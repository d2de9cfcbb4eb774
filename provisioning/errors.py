"""What can go wrong while provisioning, said so that the technician knows what to do."""


class ProvisionError(RuntimeError):
    """A step could not be done; the message (in Dutch) says why and what to do."""
