"""The running hub: broker (embedded or configured), database, MQTT ingest and the web portal."""

from __future__ import annotations

import logging
import signal
import threading

import uvicorn

from hub.attendance.presence import PresenceBroadcaster
from hub.cards.links import card_read_handler
from hub.core.db import connect, open_database
from hub.core.settings import HubSettings
from hub.ingest.broker import EmbeddedBroker
from hub.ingest.link import HubLink
from hub.ingest.pipeline import SUBSCRIPTIONS, Ingest
from hub.mail import mailer_for
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
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Migrate the database, make sure there is a broker, start the ingest. Does not block."""
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
        self.ingest = Ingest(self.settings.database_path, publish=self.link.send_ack, settle=self.link.settle)
        self.ingest.on_event(CardRead, card_read_handler(on_linked=self.configs_changed))
        ingest_thread = threading.Thread(
            target=self.ingest.run, args=(self._stop,), name="ingest", daemon=True
        )
        ingest_thread.start()
        self._threads.append(ingest_thread)
        self.presence = PresenceBroadcaster(
            self.settings.database_path, lambda t, p, r: self.link.publish(t, p, retain=r)
        )
        presence_thread = threading.Thread(
            target=self.presence.run, args=(self._stop,), name="presence", daemon=True
        )
        presence_thread.start()
        self._threads.append(presence_thread)
        self.link.start()
        if self.settings.upload.enabled:  # the monthly upload to Kind en Gezin
            self.uploads = UploadScheduler(self.settings.database_path, self.settings.upload)
            upload_thread = threading.Thread(
                target=self.uploads.run, args=(self._stop,), name="upload", daemon=True
            )
            upload_thread.start()
            self._threads.append(upload_thread)

    def _connected(self) -> None:
        self.publish_configs()
        self.presence.republish_all()

    def publish_configs(self, location_id: str | None = None) -> int:
        """(Re)publish the retained configs of the units, e.g. after a roster change."""
        db = connect(self.settings.database_path)
        try:
            return publish_configs(db, lambda t, p, r: self.link.publish(t, p, retain=r), location_id)
        finally:
            db.close()

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
        """The portal, wired to this hub's units and mail."""
        return create_app(
            self.settings.database_path, units=self, mailer=mailer_for(self.settings), settings=self.settings
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
        )
        try:
            uvicorn.Server(config).run()
        finally:
            self.stop()

    def portal_url(self) -> str:
        return f"http://{self.settings.http_host}:{self.settings.http_port}/"

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.link is not None:
            self.link.stop()
        if self.embedded is not None:
            self.embedded.stop()


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)
