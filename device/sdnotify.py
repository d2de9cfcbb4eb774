"""systemd's notify protocol, in the standard library: READY, WATCHDOG, STATUS, STOPPING.

systemd passes ``NOTIFY_SOCKET`` (a datagram socket path, ``@`` for the abstract namespace)
and, with ``WatchdogSec=``, ``WATCHDOG_USEC``. Outside systemd both are absent and every call
is a no-op. The main loop calls :meth:`Notifier.watchdog` on every pass; it sends at most one
ping per half watchdog interval, so a hung camera or a stuck loop stops the pings and systemd
restarts the unit.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        path = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + path[1:] if path.startswith("@") else path
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        self.watchdog_every_s = int(usec) / 2_000_000 if usec.isdigit() and mine else None
        self._last_ping = float("-inf")
        self._socket: socket.socket | None = None
        if self._address:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    @property
    def enabled(self) -> bool:
        return self._socket is not None

    def notify(self, *fields: str) -> bool:
        """Send ``KEY=value`` fields; False when not under systemd or the send failed."""
        if self._socket is None:
            return False
        try:
            self._socket.sendto("\n".join(fields).encode(), self._address)
        except OSError as exc:
            log.warning("sd_notify to %s failed: %s", self._address.replace("\0", "@"), exc)
            return False
        return True

    def ready(self, status: str = "") -> None:
        self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> None:
        self.notify(f"STATUS={text}")

    def watchdog(self) -> None:
        """Ping the watchdog when half its interval has passed since the last ping."""
        if self.watchdog_every_s is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.watchdog_every_s:
            self._last_ping = now
            self.notify("WATCHDOG=1")

    def stopping(self) -> None:
        self.notify("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
