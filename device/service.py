"""The unit service: wires camera, decoder, keypad, desk, outbox, publisher, link and feedback
together and runs them.

Threads: the main loop reads frames and decodes them (and pings systemd's watchdog and ticks the
prompts), the publisher drains the outbox, the status thread reports, paho runs the MQTT
connection, the keypad driver reports keys.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from device import __version__
from device.camera_check import LiveCheck
from device.checkin import CheckInDesk, Roster
from device.clock import Clock, open_clock
from device.config import UnitSettings
from device.decoder import open_decoder
from device.feedback import Feedback, Signal, open_feedback
from device.frames import FrameSource, open_frame_source
from device.keyentry import KeyEntry
from device.keypad import Keypad, open_keypad
from device.link import UnitLink
from device.linking import LinkRequests
from device.messages import Dispatch
from device.outbox import Outbox
from device.publisher import Publisher
from device.scanner import Scanner
from device.sdnotify import Notifier
from device.updater import Updater
from wire import (
    Ack,
    CardRead,
    Direction,
    LinkCard,
    Presence,
    Source,
    Status,
    TopicKind,
    UnitConfig,
    UpdateCommand,
    Verdict,
    encode,
)

log = logging.getLogger(__name__)


class UnitService:
    def __init__(
        self,
        settings: UnitSettings,
        feedback: Feedback | None = None,
        frames: FrameSource | None = None,
        clock: Clock | None = None,
        keypad: Keypad | None = None,
        notifier: Notifier | None = None,
        restart: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.version = __version__  # what the status reports; an update's restart changes it
        self.restart_requested = False  # run() returned for an update: the process must start again
        self.updater = Updater(
            settings.unit,
            Path(settings.update.key),
            Path(settings.update.venv),
            Path(settings.update.store),
            settings.staff_key,
            restart=restart or self._restart_process,
            reported=self._publish_status,
        )
        synced = settings.scan.clock_synced
        self.clock = clock or open_clock(None if synced == "auto" else bool(synced))
        self.feedback = feedback or open_feedback(settings.feedback)
        self.notifier = notifier or Notifier()
        self.outbox = Outbox(
            settings.outbox_path,
            capacity=settings.delivery.outbox_capacity,
            warn_ratio=settings.delivery.outbox_warn_ratio,
            disk_warn_bytes=int(settings.delivery.disk_warn_mb * 2**20),
            disk_reserve_bytes=int(settings.delivery.disk_reserve_mb * 2**20),
        )
        self.roster = Roster(self.outbox)
        self.messages = self._dispatch()
        self.link = UnitLink(
            settings.broker,
            settings.unit,
            settings.location,
            last_will=self._status(online=False),
            on_message=self.messages,
            on_connected=self._connected,
        )
        self.publisher = Publisher(
            self.outbox,
            self.link,
            window=settings.delivery.window,
            ack_timeout_s=settings.delivery.ack_timeout_s,
            on_ack=self._acked,
        )
        self.desk = CheckInDesk(
            settings.unit,
            settings.location,
            self.outbox,
            self.roster,
            self.feedback,
            self.clock,
            is_online=lambda: self.link.connected,
            repeat_window_s=settings.scan.repeat_window_s,
            departure_from=settings.scan.departure_from,
            fixed_mode=None if settings.scan.mode == "auto" else Direction(settings.scan.mode),
            collector_window_s=settings.scan.collector_window_s,
        )
        self.desk.apply_settings(self.roster.settings)
        self.links = LinkRequests()
        self.camera_check = LiveCheck()
        self.keys = KeyEntry(
            self.desk,
            self.feedback,
            present=self.present,
            links=self.links,
            pin_hash=lambda: self.roster.pin_hash,
            staff_code_hash=lambda: self.roster.staff_code_hash,
            staff_key=settings.staff_key,
            backlog_and_connection=lambda: (len(self.outbox), self.link.connected),
            state_store=self.outbox,
            mode_key_hold_s=settings.scan.mode_key_hold_s,
            camera_check=self.camera_check,
        )
        self.keypad = keypad or open_keypad(settings.keypad)
        self.frames = frames or open_frame_source(settings.camera, codes=self.roster.codes)
        self.scanner = Scanner(
            self.frames,
            open_decoder(),
            self._card_seen,
            gap_s=settings.scan.presence_gap_s,
            camera_check=self.camera_check,
        )
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Run until SIGTERM/SIGINT or :meth:`stop`; the outbox keeps whatever is not yet delivered."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self.stop_event.set())
        log.info(
            "unit %s for location %s, %d event(s) waiting in the outbox, camera: %s, decoder: %s, keypad: %s",
            self.settings.unit,
            self.settings.location,
            len(self.outbox),
            self.frames.name,
            self.scanner.decoder.name,
            self.keypad.name,
        )
        self.desk.refresh_mode()
        self.link.start()
        threads = [
            threading.Thread(
                target=self.publisher.run, args=(self.stop_event,), name="publisher", daemon=True
            ),
            threading.Thread(target=self._report_status, name="status", daemon=True),
        ]
        for thread in threads:
            thread.start()
        self.keypad.start(self.keys.press)
        self.notifier.ready(self._status_text())
        try:
            while not self.stop_event.is_set():
                self.scanner.step()
                self.keys.tick()
                self.notifier.watchdog()
        finally:
            self.notifier.stopping()
            self.stop_event.set()
            self.keypad.close()
            for thread in threads:
                thread.join(timeout=5)
            self.link.stop(final_status=self._status(online=False))
            self.frames.close()
            self.feedback.close()
            self.outbox.close()
            self.notifier.close()

    def stop(self) -> None:
        self.stop_event.set()

    def present(self, code: str, source: Source) -> None:
        """A card held to the camera or typed: the answer to a link request, else a check-in."""
        now = self.clock.monotonic()
        if self.links.pending(now) is not None:
            if not self.link.connected:
                self.feedback.signal(Signal.REFUSED, "Geen verbinding — probeer opnieuw")
                return
            request = self.links.take(now)
            if request is not None:
                self._answer_link(request, code, source)
                return
        outcome = self.desk.register(code, source)
        if outcome.event is not None:
            self.publisher.wake()

    def _answer_link(self, request: LinkCard, code: str, source: Source) -> None:
        read = CardRead(
            request=request.request,
            unit=self.settings.unit,
            location=self.settings.location,
            code=code,
            source=source,
            wall_time=self.clock.now().isoformat(timespec="milliseconds"),
        )
        if self.link.publish_event(encode(read)):
            log.info("card read for link request %s (%s)", request.request, request.child)
            self.feedback.signal(Signal.OK, f"Kaart gelezen — voor {request.child}")
        else:
            self.feedback.signal(Signal.REFUSED, "Geen verbinding — probeer opnieuw")

    def _card_seen(self, code: str, _frame_arrived: float) -> None:
        self.present(code, Source.QR)

    def _connected(self) -> None:
        self.updater.confirm()  # this version came up and reached the broker: keep it
        self.link.publish(TopicKind.STATUS, self._status_payload(), retain=True)
        self.publisher.connection_restored()

    def _dispatch(self) -> Dispatch:
        """The hub-to-unit messages this unit understands, one handler each."""
        dispatch = Dispatch()
        dispatch.on(TopicKind.ACK, Ack, lambda ack: self.publisher.acknowledged(ack))
        dispatch.on(TopicKind.CONFIG, UnitConfig, self._configured)
        dispatch.on(TopicKind.COMMAND, LinkCard, self._link_requested)
        dispatch.on(TopicKind.COMMAND, UpdateCommand, self.updater.handle)
        dispatch.on(TopicKind.PRESENCE, Presence, self._presence)
        return dispatch

    def _presence(self, presence: Presence) -> None:
        if presence.location != self.settings.location:
            log.warning("ignoring a presence of location %s", presence.location)
            return
        if self.desk.presence.update(presence):
            log.info("presence from the hub: seq %d, %d card(s) present", presence.seq, len(presence.present))
            self.desk.refresh_mode()

    def _configured(self, config: UnitConfig) -> None:
        self.roster.update(config)
        self.desk.apply_settings(self.roster.settings)
        log.info(
            "config from the hub: %d card(s) on the roster, %d collector card(s)",
            len(config.roster),
            len(config.collectors or {}),
        )

    def _link_requested(self, request: LinkCard) -> None:
        self.links.offer(request, self.clock.monotonic())
        log.info("link request %s: next card is for %s", request.request, request.child)
        self.keys.tick()

    def _acked(self, ack: Ack) -> None:
        self.desk.presence.acknowledged(ack.id)
        self.desk.acknowledged(ack)
        if ack.verdict is Verdict.REFUSED:  # kept at the hub for a person (else it would not be acked)
            log.error("hub refused event %s and kept it for review: %s", ack.id, ack.reason)

    def _report_status(self) -> None:
        """Publish the retained status when the backlog changes, and at least every status period;
        warn staff at the door while the outbox is nearly full."""
        last_backlog, next_due = -1, 0.0
        while not self.stop_event.wait(1.0):
            backlog = len(self.outbox)
            due = time.monotonic() >= next_due
            if self.link.connected and (backlog != last_backlog or due):
                self.link.publish(TopicKind.STATUS, self._status_payload(), retain=True)
                last_backlog = backlog
            if due:
                next_due = time.monotonic() + self.settings.delivery.status_every_s
                self.notifier.status(self._status_text())
                if self.outbox.nearly_full:
                    log.warning(
                        "outbox %d of %d full, %d KB free on its disk",
                        backlog,
                        self.outbox.capacity,
                        self.outbox.free_bytes() // 1024,
                    )
                    self.feedback.signal(Signal.WARNING, f"Opslag bijna vol — {backlog} wachten op de hub")

    def _status_text(self) -> str:
        connection = "connected" if self.link.connected else "not connected"
        return f"backlog {len(self.outbox)}, {connection}, camera {self.frames.name}"

    def _restart_process(self) -> None:
        """After an update: stop cleanly; aanwezig-unit exits non-zero and systemd starts the new version."""
        self.restart_requested = True
        self.stop_event.set()

    def _publish_status(self) -> None:
        if self.link.connected:
            self.link.publish(TopicKind.STATUS, self._status_payload(), retain=True)

    def _status(self, online: bool) -> Status:
        last = self.desk.last_scan if hasattr(self, "desk") else None
        report = self.updater.report
        return Status(
            unit=self.settings.unit,
            location=self.settings.location,
            online=online,
            version=self.version,
            backlog=len(self.outbox),
            sent_at=self.clock.now().isoformat(timespec="seconds"),
            last_scan=last.isoformat(timespec="seconds") if last else None,
            update_rollout=report.rollout,
            update_outcome=report.outcome,
            update_detail=report.detail,
        )

    def _status_payload(self) -> bytes:
        return encode(self._status(online=True))
