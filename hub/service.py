"""The running hub: broker (embedded or configured), database, MQTT ingest and the web portal."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

import uvicorn

from hub.accounts.service import RESET, prepare_reset
from hub.alerts.checker import AlertChecker
from hub.attendance.presence import DerivationProcess, PresenceBroadcaster
from hub.core.db import connect, open_database
from hub.core.leases import LeasedJob, holder_name
from hub.core.localtime import today
from hub.core.settings import HubSettings
from hub.diary import summary as diary_summary
from hub.ingest.broker import EmbeddedBroker
from hub.ingest.card_reads import card_read_handler
from hub.ingest.link import HubLink
from hub.ingest.pipeline import SUBSCRIPTIONS, Ingest
from hub.ingest.workers import Workers
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
    def __init__(self, settings: HubSettings, config_path: Path | None = None) -> None:
        self.settings = settings
        self.config_path = config_path  # the settings file, for the ingest workers this hub starts
        self.workers: Workers | None = None
        self.jobs: dict[str, LeasedJob] = {}
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
        """Migrate the database, make sure there is a broker, start the ingest. Does not block.

        With ``ingest_workers`` above 1 the events go to worker processes (hub/ingest/workers.py)
        and this process keeps the portal, the publishing to the units and the once-only jobs.
        Every once-only job runs under a lease (hub/core/leases.py), so that several hub processes
        on one database run each job once.
        """
        self._lock.acquire()  # one hub per data folder; restore refuses while this is held
        open_database(self.settings.database_path).close()
        self.broker = self.settings.broker_address
        scaled = self.settings.ingest_workers > 1
        if scaled and self.broker is None:
            raise ValueError("ingest_workers > 1 needs a broker in hub.toml: workers share one broker")
        if self.broker is None:
            self.embedded = EmbeddedBroker(self.settings.embedded_broker_port)
            self.broker = self.embedded.start()
        database = self.settings.database_path
        # Scaled: this session subscribes to nothing and drops the topics a single hub subscribed to
        # before (the switch from 1 to N workers); what that old session still holds arrives here once
        # and is ingested below, as before. The shared subscriptions are the workers'.
        self.link = HubLink(
            self.broker,
            [] if scaled else SUBSCRIPTIONS,
            on_delivery=lambda delivery: self.ingest.submit(delivery),
            on_connected=self._connected,
            client_id=self.settings.client_id,
            unsubscribe=SUBSCRIPTIONS if scaled else (),
        )
        self.ingest = Ingest(
            database,
            publish=self.link.send_ack,
            settle=self.link.settle,
            dead_letter_days=self.settings.dead_letter_days,
            refused_per_unit_day=self.settings.refused_per_unit_day,
        )
        self.ingest.on_event(CardRead, card_read_handler(on_linked=self.configs_changed))
        self._thread("ingest", self.ingest.run)
        if scaled and self.settings.spawn_ingest_workers:
            if self.config_path is None:
                raise ValueError("starting ingest workers needs the hub's settings file")
            self.workers = Workers(
                self.config_path, self.settings.ingest_workers, logging.getLevelName(log.getEffectiveLevel())
            )
            self.workers.start()
        self.presence = PresenceBroadcaster(
            database,
            lambda t, p, r: self.link.publish(t, p, retain=r),
            derivation=DerivationProcess(database),
        )
        self._leased("presence", self.presence.run)
        # the broker link starts once the leases are being taken; _connected publishes what this
        # process's leases cover
        self.link.start()
        # the mail thread: sends what the portal queued, retrying while the SMTP server is away
        base_url = self.settings.portal_base_url
        prepare = {RESET: lambda db, to, now: prepare_reset(db, base_url, to, now)}
        mailer = worker_for(self.settings, self._mail_wake, prepare)
        self._leased("mail-outbox", mailer.run)
        # the notifier: stored check-ins become parents' mails (via the mail outbox) and pushes;
        # the daily summary carries the diary's day (registered before the notifier's first round).
        # Events stored by ingest workers in other processes reach it by its poll of the database.
        diary_summary.register()
        self.notifier = Notifier(
            database,
            self.settings.data_dir,
            base_url,
            self._mail_wake,
            subject=self.settings.notify.subject,
        )
        self.ingest.on_committed.append(self.notifier.wake.set)  # messages leave right after the commit
        self._leased("notifier", self.notifier.run)
        # alerts: units offline during opening hours, refused uploads, a low disk, a PIN lock (issue 16)
        alerts = AlertChecker(
            database,
            self.settings.section("alerts"),
            base_url,
            self.settings.data_dir,
            self._mail_wake,
        )
        self._leased("alerts", alerts.run)
        # staged rollouts of the units' software (issue 16): the rules' decisions, the commands
        self.rollouts = RolloutRunner(database, lambda t, p, r: self.link.publish(t, p, retain=r), base_url)
        self._leased("rollouts", self.rollouts.run, on_taken=self._rollouts_taken)
        # the units' configs: (re)published when this process takes the job, on each reconnect, and
        # on a new Brussels day (the rosters drop children whose last day has passed)
        self._leased("unit-configs", self._republish_each_day, on_taken=self._configs_taken)
        if self.settings.upload.enabled:  # the monthly upload to Kind en Gezin
            self.uploads = UploadScheduler(database, self.settings.upload)
            self._leased("upload-planner", self.uploads.run)

    def _thread(self, name: str, target) -> None:
        thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _leased(self, name: str, run, on_taken=lambda: None) -> LeasedJob:
        """Run a once-only job in this process while it holds the job's lease."""
        job = LeasedJob(
            self.settings.database_path,
            name,
            holder_name(self.settings.client_id),
            run,
            lease_s=self.settings.job_lease_seconds,
            on_taken=on_taken,
        )
        self.jobs[name] = job
        self._thread(f"lease-{name}", job.run)
        return job

    def _holds(self, name: str) -> bool:
        job = self.jobs.get(name)
        return job is not None and job.mine

    def _configs_taken(self) -> None:
        if self.link is not None and self.link.connected:
            self.publish_configs()

    def _rollouts_taken(self) -> None:
        if self.link is not None and self.link.connected and self.rollouts is not None:
            self.rollouts.republish()

    def _connected(self) -> None:
        if self._holds("rollouts"):
            self.rollouts.republish()
        if self._holds("unit-configs"):
            self.publish_configs()
        self.presence.republish_all()  # acted on by the presence job, wherever it runs here

    def publish_configs(self, location_id: str | None = None) -> int:
        """(Re)publish the retained configs of the units, e.g. after a roster change."""
        db = connect(self.settings.database_path)
        try:
            return publish_configs(db, lambda t, p, r: self.link.publish(t, p, retain=r), location_id)
        finally:
            db.close()

    def _republish_each_day(self, stop: threading.Event, every_s: float = 60.0) -> None:
        """Republish every unit's config when the Brussels date changes (checked each minute)."""
        day = today()
        while not stop.wait(every_s):
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
        if self.workers is not None:
            self.workers.stop()
        if self.link is not None:
            self.link.stop()
        if self.embedded is not None:
            self.embedded.stop()
        self._lock.release()


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
