"""The running hub: broker (embedded or configured), database, MQTT ingest and the web portal."""

from __future__ import annotations

import logging
import signal
import threading

import uvicorn

from hub.accounts.service import RESET, prepare_reset
from hub.alerts.checker import AlertChecker
from hub.attendance.presence import DerivationProcess, PresenceBroadcaster
from hub.core.db import connect, open_database
from hub.core.localtime import today
from hub.core.settings import HubSettings
from hub.diary import summary as diary_summary
from hub.ingest.broker import EmbeddedBroker
from hub.ingest.card_reads import card_read_handler
from hub.ingest.link import HubLink
from hub.ingest.pipeline import SUBSCRIPTIONS, Ingest
from hub.mail.outbox import Outbox, worker_for
from hub.notify.worker import Notifier
from hub.operations.lock import DataFolderLock
from hub.rollout.runner import RolloutRunner
from hub.units.config import publish_configs
from hub.upload.scheduler import UploadScheduler
from hub.web.app import create_app
from wire import CardRead, Topic, TopicKind
from wire.broker_url import BrokerAddress

log = logging.getLogger(__name__)


class Hub:
    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        self.embedded: EmbeddedBroker | None = None
        self.broker: BrokerAddress | None = None
        self.link: HubLink | None = None
        self.ingest: Ingest | None = None
        self.uploads: UploadScheduler | None = None
        self.presence: PresenceBroadcaster | None = None
        self.notifier: Notifier | None = None
        self.rollouts: RolloutRunner | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = DataFolderLock(settings.data_dir)
        self._mail_wake = threading.Event()  # set by the portal's outbox when it queues a mail

    def start(self) -> None:
        """Migrate the database, make sure there is a broker, start the ingest. Does not block."""
        self._lock.acquire()  # one hub per data folder; restore refuses while this is held
        open_database(self.settings.database_path).close()
        self.broker = self.settings.broker_address
        if self.broker is None:
            self.embedded = EmbeddedBroker(self.settings.embedded_broker_port)
            self.broker = self.embedded.start()
        self.link = HubLink(
            self.broker,
            SUBSCRIPTIONS,
            on_delivery=lambda delivery: self.ingest.submit(delivery),
            on_connected=self._connected,
            client_id=self.settings.client_id,
        )
        self.ingest = Ingest(
            self.settings.database_path,
            publish=self.link.send_ack,
            settle=self.link.settle,
            dead_letter_days=self.settings.dead_letter_days,
            refused_per_unit_day=self.settings.refused_per_unit_day,
        )
        self.ingest.on_event(CardRead, card_read_handler(on_linked=self.configs_changed))
        ingest_thread = threading.Thread(
            target=self.ingest.run, args=(self._stop,), name="ingest", daemon=True
        )
        ingest_thread.start()
        self._threads.append(ingest_thread)
        self.presence = PresenceBroadcaster(
            self.settings.database_path,
            lambda t, p, r: self.link.publish(t, p, retain=r),
            derivation=DerivationProcess(self.settings.database_path),
        )
        presence_thread = threading.Thread(
            target=self.presence.run, args=(self._stop,), name="presence", daemon=True
        )
        presence_thread.start()
        self._threads.append(presence_thread)
        self.link.start()
        # the mail thread: sends what the portal queued, retrying while the SMTP server is away
        base_url = self.settings.portal_base_url
        prepare = {RESET: lambda db, to, now: prepare_reset(db, base_url, to, now)}
        mailer = worker_for(self.settings, self._mail_wake, prepare)
        mail_thread = threading.Thread(target=mailer.run, args=(self._stop,), name="mail", daemon=True)
        mail_thread.start()
        self._threads.append(mail_thread)
        # the notifier: stored check-ins become parents' mails (via the mail outbox) and pushes;
        # the daily summary carries the diary's day (registered before the notifier's first round)
        diary_summary.register()
        self.notifier = Notifier(
            self.settings.database_path,
            self.settings.data_dir,
            base_url,
            self._mail_wake,
            subject=self.settings.notify.subject,
        )
        self.ingest.on_committed.append(self.notifier.wake.set)  # messages leave right after the commit
        notify_thread = threading.Thread(
            target=self.notifier.run, args=(self._stop,), name="notify", daemon=True
        )
        notify_thread.start()
        self._threads.append(notify_thread)
        # alerts: units offline during opening hours, refused uploads, a low disk, a PIN lock (issue 16)
        alerts = AlertChecker(
            self.settings.database_path,
            self.settings.section("alerts"),
            base_url,
            self.settings.data_dir,
            self._mail_wake,
        )
        alert_thread = threading.Thread(target=alerts.run, args=(self._stop,), name="alerts", daemon=True)
        alert_thread.start()
        self._threads.append(alert_thread)
        # staged rollouts of the units' software (issue 16): the rules' decisions, the commands
        self.rollouts = RolloutRunner(
            self.settings.database_path,
            lambda t, p, r: self.link.publish(t, p, retain=r),
            base_url,
        )
        rollout_thread = threading.Thread(
            target=self.rollouts.run, args=(self._stop,), name="rollout", daemon=True
        )
        rollout_thread.start()
        self._threads.append(rollout_thread)
        # a new Brussels day: the rosters drop children whose last day has passed
        day_thread = threading.Thread(target=self._republish_each_day, name="new-day", daemon=True)
        day_thread.start()
        self._threads.append(day_thread)
        if self.settings.upload.enabled:  # the monthly upload to Kind en Gezin
            self.uploads = UploadScheduler(self.settings.database_path, self.settings.upload)
            upload_thread = threading.Thread(
                target=self.uploads.run, args=(self._stop,), name="upload", daemon=True
            )
            upload_thread.start()
            self._threads.append(upload_thread)

    def _connected(self) -> None:
        if self.rollouts is not None:
            self.rollouts.republish()
        self.publish_configs()
        self.presence.republish_all()

    def publish_configs(self, location_id: str | None = None) -> int:
        """(Re)publish the retained configs of the units, e.g. after a roster change."""
        db = connect(self.settings.database_path)
        try:
            return publish_configs(db, lambda t, p, r: self.link.publish(t, p, retain=r), location_id)
        finally:
            db.close()

    def _republish_each_day(self, every_s: float = 60.0) -> None:
        """Republish every unit's config when the Brussels date changes (checked each minute)."""
        day = today()
        while not self._stop.wait(every_s):
            if today() != day:
                day = today()
                try:
                    self.publish_configs()
                except Exception:  # a busy database now: the next minute tries again
                    logging.getLogger(__name__).exception("republishing the configs for the new day failed")
                    day = None

    # The portal's UnitChannel (hub/web/channel.py).

    def configs_changed(self, location_id: str) -> None:
        if self.link is not None:
            self.publish_configs(location_id)

    def send_command(self, location_id: str, unit_id: str, payload: bytes) -> bool:
        """A one-off command to one unit: QoS 1, not retained (a stale command must not linger)."""
        if self.link is None or not self.link.connected:
            return False
        return self.link.publish(str(Topic(location_id, unit_id, TopicKind.COMMAND)), payload, retain=False)

    def app(self):
        """The portal, wired to this hub's units and to its mail outbox (a request only queues mail)."""
        outbox = Outbox(self.settings.database_path, self._mail_wake)
        return create_app(
            self.settings.database_path, units=self, mailer=outbox, settings=self.settings, ingest=self.ingest
        )

    def serve_http(self) -> None:
        """Serve the portal until SIGINT/SIGTERM (blocks), then stop everything.

        uvicorn shuts down gracefully on either signal and then raises it again; SIGINT becomes
        KeyboardInterrupt and SIGTERM, with the handler set here, SystemExit, so the ``finally``
        below stops the ingest, the broker and (in the demo) the units in both cases.
        """
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        config = uvicorn.Config(
            self.app(),
            host=self.settings.http_host,
            port=self.settings.http_port,
            log_level="warning",
            # The portal reads proxy headers itself, only from hub.toml's trusted_proxies
            # (hub/web/clients.py); uvicorn would trust them from 127.0.0.1 by default.
            proxy_headers=False,
            forwarded_allow_ips="",
        )
        try:
            uvicorn.Server(config).run()
        finally:
            self.stop()

    def portal_url(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}/"

    def stop(self) -> None:
        self._stop.set()
        self._mail_wake.set()
        if self.notifier is not None:
            self.notifier.wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.link is not None:
            self.link.stop()
        if self.embedded is not None:
            self.embedded.stop()
        self._lock.release()


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
