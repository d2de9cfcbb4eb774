"""The technician's operations on the fleet: init, enrol, revoke, replace, rekey, sync.

Each one changes the hub database (which units exist, where, active or revoked) and the broker
accounts store under one lock, writes Mosquitto's password file and ACL from them, makes
Mosquitto re-read them, and tells the technician every step through ``say``. The database is
the source of truth: ``sync`` rebuilds the broker's files from it at any time.
"""

from __future__ import annotations

import grp
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
import tomlkit
from tomlkit.items import AoT, Table

from hub.units import service as units
from provisioning import broker
from provisioning.announce import AnnounceError, publish_retained
from provisioning.bundle import CA_NAME, CONFIG_NAME, UnitIdentity, unit_toml, write_bundle
from provisioning.errors import ProvisionError
from provisioning.settings import ProvisionSettings
from provisioning.updates import public_key_file
from wire.broker_url import BrokerAddress
from wire.topics import is_valid_id

Say = Callable[[str], None]
MODES = ("auto", "arrival", "departure")
HUB_SERVICE_GROUP = "aanwezig-hub"  # the group of the hub's systemd service (systemd/aanwezig-hub.service)


@dataclass(frozen=True)
class Enrolment:
    identity: UnitIdentity
    broker: BrokerAddress  # without password
    bundle: list[Path]
    mode: str


@dataclass
class Warnings:
    """The warnings of an operation that the technician must act on (none: all went well)."""

    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.warnings


Outcome = Warnings  # its earlier name


class Fleet:
    def __init__(self, settings: ProvisionSettings, say: Say = print) -> None:
        self.settings = settings
        self.say = say
        self.outcome = Warnings([])

    # --- the operations -------------------------------------------------------------------

    def init(self) -> bool:
        """Create the hub's broker account (once) and write the broker's files. True if created.

        No reload: on a first set-up Mosquitto must be restarted anyway, to take its new settings
        (``broker-conf``) with the listeners.
        """
        s = self.settings
        with broker.locked(s) as store, self._db() as db:
            created = s.hub_user not in store.accounts
            if created:
                password = broker.new_password()
                store.add(s.hub_user, "hub", password)
                store.save()
                hub_url = _hub_url(s, password)
                set_hub_broker(s.hub_config, hub_url)
                self.say(f"✓ brokeraccount voor de hub ({s.hub_user}) aangemaakt, in {s.hub_config} gezet")
            else:
                self.say(f"✓ de hub heeft al een brokeraccount ({s.hub_user})")
            allowed = broker.write_files(s, db, store)
            self.say(f"✓ {s.password_file} en {s.acl_file} geschreven ({len(allowed)} unit(s))")
        return created

    def enrol(self, location: str, out: Path, unit_id: str | None = None, mode: str = "auto") -> Enrolment:
        """Register a new unit for a location, give it broker credentials and write its bundle."""
        with broker.locked(self.settings) as store, self._db() as db:
            enrolment = self._enrol(db, store, location, out, unit_id, mode)
            self._write_files(db, store)
        self._reload()
        self._write_bundle(enrolment, out)
        self._announce(enrolment.identity.unit)
        return enrolment

    def revoke(self, unit_id: str) -> units.Unit:
        """Take a unit out of the fleet: no more connections; what it already delivered stays."""
        with broker.locked(self.settings) as store, self._db() as db:
            unit = self._revoke(db, store, unit_id)
            self._write_files(db, store)
        self._reload()
        self._announce(unit_id, clear=True)
        return unit

    def replace(self, old_unit: str, out: Path, unit_id: str | None = None, mode: str = "auto") -> Enrolment:
        """A new unit takes over the location of ``old_unit``, which is revoked (or already was).

        The hub records the succession: the check-ins ``old_unit`` made before its revocation and
        still holds in its outbox (the same SD card in new hardware, or the old unit found again
        under the new bundle) are stored once, as the old unit's, when the new one delivers them.
        """
        with broker.locked(self.settings) as store, self._db() as db:
            old = units.registered_unit(db, old_unit)
            if old is None:
                raise ProvisionError(f"onbekende unit {old_unit!r}")
            enrolment = self._enrol(db, store, old.location_id, out, unit_id, mode)
            if old.state == "active":
                self._revoke(db, store, old_unit)
            with db.atomic():
                units.record_succession(db, enrolment.identity.unit, old_unit, "replace", units.now_utc_iso())
            self.say(
                f"✓ {enrolment.identity.unit} volgt {old_unit} op: "
                f"wat {old_unit} nog in zijn wachtrij heeft, komt binnen"
            )
            self._write_files(db, store)
        self._reload()
        self._write_bundle(enrolment, out)
        self._announce(enrolment.identity.unit)
        self._announce(old_unit, clear=True)
        return enrolment

    def rekey(self, unit_id: str, out: Path, mode: str = "auto") -> Enrolment:
        """A new password, staff key and bundle for a unit: a lost SD card, a suspected leak, a revoked
        unit found again.

        A revoked unit comes back into service under its own id, its outbox kept. Also how a unit
        enrolled before staff keys existed gets one; its staff menu then checks the scanner code with
        the key once the new bundle is installed.
        """
        with broker.locked(self.settings) as store, self._db() as db:
            unit = units.registered_unit(db, unit_id)
            if unit is None:
                raise ProvisionError(f"onbekende unit {unit_id!r}")
            _check_out(out)
            if unit.state != "active":
                with db.atomic():
                    units.reinstate(db, unit_id, units.now_utc_iso())
                self.say(f"✓ unit {unit_id} is opnieuw in dienst; zijn wachtrij komt binnen")
            enrolment = self._credentials(db, store, unit.id, unit.location_id, mode)
            self.say(f"✓ nieuw wachtwoord voor {unit_id}; het vorige werkt niet meer")
            self._write_files(db, store)
        self._reload()
        self._write_bundle(enrolment, out)
        self._announce(unit_id)
        return enrolment

    def sync(self) -> None:
        """Rebuild the broker's files from the database and reload (after a change elsewhere).

        Warns about active units without a staff key: only ``rekey`` can give one, since the key
        must reach the unit in a bundle.
        """
        with broker.locked(self.settings) as store, self._db() as db:
            self._write_files(db, store)
            unkeyed = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM units WHERE state = 'active' AND staff_key IS NULL ORDER BY id"
                )
            ]
        self._reload()
        if unkeyed:  # a nudge, not a failure: these units work, with the previous (unkeyed) hash
            self.say(
                f"⚠ unit(s) zonder eigen sleutel voor de scannercode: {', '.join(unkeyed)}; ze krijgen "
                "de scannercode nog ongesleuteld gehasht. `aanwezig-provision rekey UNIT --out MAP` "
                "geeft elk een sleutel in een nieuwe bundel"
            )

    # --- the steps ------------------------------------------------------------------------

    def _enrol(
        self,
        db: sqlite_utils.Database,
        store: broker.AccountStore,
        location: str,
        out: Path,
        unit_id: str | None,
        mode: str,
    ) -> Enrolment:
        if mode not in MODES:
            raise ProvisionError(f"modus moet auto, arrival of departure zijn, niet {mode!r}")
        if units.location_name(db, location) is None:
            known = ", ".join(units.location_names(db))
            raise ProvisionError(f"onbekende locatie {location!r}; gekend: {known or 'geen'}")
        _check_out(out)
        unit_id = unit_id or _new_unit_id(db, store)
        if not is_valid_id(unit_id) or unit_id == self.settings.hub_user:
            raise ProvisionError(f"ongeldige unit-id {unit_id!r}: letters, cijfers, '-' of '_'")
        if units.registered_unit(db, unit_id) is not None or unit_id in store.accounts:
            raise ProvisionError(f"unit-id {unit_id!r} bestaat al (een id wordt nooit hergebruikt)")
        with db.atomic():
            units.enrol(db, unit_id, location)
        self.say(f"✓ unit {unit_id} ingeschreven voor locatie {location} in de hubdatabank")
        return self._credentials(db, store, unit_id, location, mode)

    def _credentials(
        self, db: sqlite_utils.Database, store: broker.AccountStore, unit_id: str, location: str, mode: str
    ) -> Enrolment:
        password = broker.new_password()
        store.add(unit_id, "unit", password)
        store.save()
        name = units.location_name(db, location)
        self.say(f"✓ brokeraccount {unit_id} aangemaakt (in de hub enkel als hash bewaard)")
        with db.atomic():
            key = units.new_staff_key(db, unit_id)  # the hub hashes the scanner code with it when publishing
        self.say(f"✓ eigen sleutel voor de scannercode van {unit_id} gemaakt (staff.key in de bundel)")
        identity = UnitIdentity(unit_id, location, name, password, key)
        return Enrolment(identity, self.settings.unit_broker, [], mode)

    def _revoke(self, db: sqlite_utils.Database, store: broker.AccountStore, unit_id: str) -> units.Unit:
        try:
            with db.atomic():
                unit = units.revoke(db, unit_id)
        except units.UnitRegistryError:
            raise ProvisionError(f"onbekende unit {unit_id!r}") from None
        store.remove(unit_id)
        store.save()
        self.say(f"✓ unit {unit_id} ingetrokken (locatie {unit.location_id}); zijn events blijven bewaard")
        return unit

    def _write_files(self, db: sqlite_utils.Database, store: broker.AccountStore) -> None:
        allowed = broker.write_files(self.settings, db, store)
        self.say(f"✓ wachtwoordbestand en ACL van Mosquitto bijgewerkt ({len(allowed)} actieve unit(s))")

    def _reload(self) -> None:
        try:
            how = broker.reload(self.settings)
        except broker.ReloadError as exc:
            self._warn(
                f"{exc}. Mosquitto gebruikt nog de vorige bestanden: herstel dit en voer "
                "`aanwezig-provision sync` uit"
            )
            return
        self.say(f"✓ Mosquitto herladen ({how})")

    def _write_bundle(self, enrolment: Enrolment, out: Path) -> None:
        s = self.settings
        ca = s.unit_ca_file
        if s.unit_broker.tls and ca is None:
            self.say("  (TLS met de CA's van het systeem: geen ca.crt in de bundel)")
        text = unit_toml(
            enrolment.identity,
            s.unit_broker,
            s.unit,
            ca_installed=s.unit.config_dir / CA_NAME if ca else None,
            overrides={"scan": {"mode": enrolment.mode}},
            written_at=units.local_now().strftime("%d/%m/%Y %H:%M"),
        )
        try:
            enrolment.bundle.extend(
                write_bundle(out, text, ca, enrolment.identity.staff_key, public_key_file(s.update_key_dir))
            )
        except OSError as exc:
            unit = enrolment.identity.unit
            raise ProvisionError(
                f"bundel niet geschreven naar {out} ({exc}); unit {unit} is wel ingeschreven: "
                f"`aanwezig-provision rekey {unit} --out MAP` schrijft er een"
            ) from None
        self.say(
            f"✓ configuratiebundel geschreven naar {out} ({', '.join(p.name for p in enrolment.bundle)})"
        )

    def _announce(self, unit_id: str, clear: bool = False) -> None:
        """Publish the unit's retained config (roster) now, or remove it for a revoked unit."""
        try:
            hub_broker = units.load_settings(self.settings.hub_config).broker_address
        except (OSError, ValueError) as exc:
            self._warn(
                f"hubinstellingen onleesbaar ({exc}); de configuratie volgt bij de volgende start van de hub"
            )
            return
        if hub_broker is None:
            self._warn("de hub heeft geen broker ingesteld: voer eerst `aanwezig-provision init` uit")
            return
        with self._db() as db:
            unit = units.registered_unit(db, unit_id)
            assert unit is not None
            payload = b"" if clear else units.config_payload(db, unit)
        topic = units.config_topic(unit)
        try:
            publish_retained(hub_broker, topic, payload)
        except AnnounceError as exc:
            self._warn(
                f"configuratie van {unit_id} niet gepubliceerd ({exc}); "
                "de hub doet het bij zijn volgende start"
            )
            return
        if clear:
            self.say(f"✓ de bewaarde configuratie (namenlijst) van {unit_id} is van de broker gewist")
        else:
            self.say(f"✓ configuratie (namenlijst) voor {unit_id} klaargezet op de broker")

    def _warn(self, message: str) -> None:
        self.outcome.warnings.append(message)
        self.say(f"⚠ {message}")

    def _db(self) -> AbstractContextManager[sqlite_utils.Database]:
        return units.database(self.settings.database_path())


def _check_out(out: Path) -> None:
    if (out / CONFIG_NAME).exists():
        raise ProvisionError(f"in {out} staat al een bundel; kies een lege map (of verwijder de oude bundel)")
    if out.exists() and not out.is_dir():
        raise ProvisionError(f"{out} is geen map")


def _new_unit_id(db: sqlite_utils.Database, store: broker.AccountStore) -> str:
    while True:
        candidate = f"unit-{secrets.token_hex(3)}"
        if units.registered_unit(db, candidate) is None and candidate not in store.accounts:
            return candidate


def _hub_url(s: ProvisionSettings, password: str) -> str:
    b = s.hub_broker
    url = f"{'mqtts' if b.tls else 'mqtt'}://{s.hub_user}:{password}@{b.host}:{b.port}"
    ca = s.tls_dir / "ca.crt"
    return f"{url}?cafile={ca}" if b.tls and ca.exists() else url


def set_hub_broker(hub_config: Path, url: str) -> None:
    """Set ``broker = "..."`` in the hub's settings file, creating the file when there is none.

    The file is edited as TOML, not as text: appended at the end, the key would land in whatever
    table closes the file (``[upload]``) and the hub would refuse to start. Comments, order and
    the tables stay as the administrator wrote them.
    """
    if hub_config.exists():
        text = _with_top_level_key(hub_config.read_text(), "broker", url)
        info = hub_config.stat()
        mode, owner = info.st_mode & 0o770, (info.st_uid, info.st_gid)  # a password: nothing for others
    else:  # readable by the hub's service user through its group, when that exists
        text = f'data_dir = "/var/lib/aanwezig-hub"\nbroker = "{url}"\n'
        mode, owner = 0o640, None
    gid = None if owner else _existing_group(HUB_SERVICE_GROUP)
    broker.write_atomically(hub_config, text, mode=mode, owner=owner, gid=gid)


def _with_top_level_key(text: str, key: str, value: str) -> str:
    """TOML ``text`` with the top-level ``key`` set to ``value``: in place, or before the first table."""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as error:
        raise ProvisionError(f"de hubinstellingen zijn geen geldige TOML: {error}") from None
    plain = [k.key for k, item in document.body if k is not None and not isinstance(item, Table | AoT)]
    if key in document or not plain:
        document[key] = value  # a new key goes before the first table, never into the last one
    else:  # right after the last top-level key: a comment heading the first table stays with it
        document._insert_after(plain[-1], key, value)
    return tomlkit.dumps(document)


def _existing_group(name: str) -> int | None:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None
