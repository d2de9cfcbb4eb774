"""One shape for choosing a driver, for every kind the unit has (camera, keypad, display, lights).

Modelled on gpiozero's pin factories: each kind has a :class:`Chooser` with a name, its drivers
by name, a probe order kept as data (``order``) for ``auto``, and an environment override
(``AANWEZIG_<KIND>``, e.g. ``AANWEZIG_CAMERA=files``) that beats the configuration, so a
technician can force a driver for one run without editing the unit's TOML.

A driver is a callable that opens the device and returns an object with a ``name``, or raises
the kind's :class:`~device.exc.DriverUnavailable` subclass. Named explicitly, a driver's error
goes to the caller; in ``auto`` it is noted and the next driver in the order is tried.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from device.exc import DriverUnavailable

log = logging.getLogger(__name__)

D = TypeVar("D")


class Chooser(Generic[D]):
    """Opens a driver of one kind by name, or the first in ``order`` that opens."""

    def __init__(
        self,
        kind: str,
        drivers: Mapping[str, Callable[..., D]],
        order: Sequence[str],
        error: type[DriverUnavailable],
        probes: Mapping[str, Callable[..., D]] | None = None,
    ) -> None:
        """``drivers`` can be named in the configuration; ``probes`` are extra entries of the
        auto order only (e.g. "whichever stand-in is configured")."""
        self.kind = kind
        self.drivers = dict(drivers)
        self.probes = dict(probes or {})
        self.order = list(order)
        self.error = error
        unknown = [name for name in self.order if name not in self.drivers and name not in self.probes]
        if unknown:
            raise ValueError(f"{kind}: probe order names unknown drivers {unknown}")

    @property
    def env(self) -> str:
        return "AANWEZIG_" + self.kind.upper()

    def wanted(self, configured: str) -> str:
        """The driver name in force: the environment override, else the configuration."""
        return os.environ.get(self.env, "").strip() or configured

    def open(self, configured: str, *args: Any) -> D:
        """The driver named (``configured`` or the environment), or for ``auto`` the first of
        :attr:`order` that opens; ``args`` go to the driver."""
        name = self.wanted(configured)
        if name != "auto":
            if name not in self.drivers:
                raise self.error(f"unknown {self.kind} {name!r}; known: {', '.join(self.drivers)}")
            return self._call(self.drivers[name], args)
        tried = []
        for entry in self.order:
            opener = self.drivers.get(entry) or self.probes[entry]
            try:
                driver = self._call(opener, args)
            except DriverUnavailable as exc:
                tried.append(f"{entry}: {exc}" if not str(exc).startswith(entry) else str(exc))
                continue
            log.info(
                "%s: %s%s",
                self.kind,
                getattr(driver, "name", entry),
                f" (not available: {'; '.join(tried)})" if tried else "",
            )
            return driver
        raise self.error(f"no {self.kind}: " + "; ".join(tried))

    @staticmethod
    def _call(opener: Callable[..., D], args: tuple) -> D:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gpiozero warns for every pin factory it skips
            return opener(*args)
