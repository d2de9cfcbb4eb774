"""Finding a TCP port on loopback: the preferred one when it is free, else any free one."""

from __future__ import annotations

import socket


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1", preferred: int = 0) -> int:
    """``preferred`` if nothing listens there, else a port the kernel hands out."""
    if preferred and is_free(preferred, host):
        return preferred
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
