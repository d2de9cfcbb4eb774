"""``aanwezig-provision`` (also ``python -m provisioning``): the technician's command line.

Run on the hub machine, as root (it writes Mosquitto's files and the hub database). Every
command prints its steps; the exit status is 0 when all went well, 1 when something needs the
technician's attention (the message says what), 2 when nothing was done.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import tempfile
from pathlib import Path

from provisioning import __version__
from provisioning.errors import ProvisionError
from wire import cardcode

EPILOG = """\
voorbeelden:
  aanwezig-provision init
  aanwezig-provision enrol zonnebloem --out /media/$USER/bootfs/aanwezig
  ssh hub sudo aanwezig-provision enrol zonnebloem --out - | tar -x -C /media/$USER/bootfs
  aanwezig-provision list
  aanwezig-provision revoke unit-3fa9c1
  aanwezig-provision replace unit-3fa9c1 --out /media/$USER/bootfs/aanwezig
  aanwezig-provision cards --organisator info@zonnebloem.be --count 20 --out kaarten.pdf
  aanwezig-provision sign-update dist/aanwezig-0.2.0-py3-none-any.whl

De stappen voor de technieker staan in docs/technician.md.
"""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except ProvisionError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aanwezig-provision",
        description="Aanwezig: scanners inschrijven, intrekken en vervangen, brokertoegang, QR-kaarten.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "--config",
        metavar="BESTAND",
        help="de instellingen (standaard: $AANWEZIG_PROVISION_CONFIG of /etc/aanwezig/provision.toml)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDO")

    p = sub.add_parser("init", help="brokeraccount voor de hub, wachtwoordbestand en ACL; één keer per hub")
    p.set_defaults(run=_init)

    p = sub.add_parser("tls", help="een eigen CA en servercertificaat voor de TLS-poort van de broker")
    p.add_argument(
        "--host", action="append", required=True, help="naam of IP-adres van de broker (herhaalbaar)"
    )
    p.set_defaults(run=_tls)

    p = sub.add_parser(
        "broker-conf", help="de Mosquitto-instellingen voor /etc/mosquitto/conf.d/aanwezig.conf"
    )
    p.add_argument("--out", type=Path, help="schrijf naar dit bestand in plaats van naar het scherm")
    p.add_argument(
        "--unit-bind", default="", metavar="ADRES", help="adres voor de poort van de units (standaard: alle)"
    )
    p.set_defaults(run=_broker_conf)

    p = sub.add_parser(
        "enrol", help="een nieuwe scanner inschrijven voor een locatie en zijn bundel schrijven"
    )
    p.add_argument("location", help="id van de locatie (zie `list`)")
    _bundle_options(p, unit_id=True)
    p.set_defaults(run=_enrol)

    p = sub.add_parser("revoke", help="een scanner intrekken: hij kan niet meer verbinden (gestolen, defect)")
    p.add_argument("unit", help="id van de unit")
    p.set_defaults(run=_revoke)

    p = sub.add_parser(
        "replace", help="een nieuwe scanner neemt de locatie van een oude over; de oude wordt ingetrokken"
    )
    p.add_argument("unit", help="id van de unit die vervangen wordt")
    _bundle_options(p, unit_id=True)
    p.set_defaults(run=_replace)

    p = sub.add_parser("rekey", help="nieuw wachtwoord en nieuwe bundel voor een actieve scanner")
    p.add_argument("unit", help="id van de unit")
    _bundle_options(p, unit_id=False)
    p.set_defaults(run=_rekey)

    p = sub.add_parser("list", help="scanners per locatie: online/offline, laatst gezien, wachtrij, versie")
    p.add_argument("--location", help="enkel deze locatie")
    p.add_argument("--json", action="store_true", help="als JSON, voor scripts")
    p.set_defaults(run=_list)

    p = sub.add_parser(
        "sync", help="wachtwoordbestand en ACL opnieuw opbouwen uit de hubdatabank en herladen"
    )
    p.set_defaults(run=_sync)

    p = sub.add_parser(
        "cards", help="nieuwe QR-kaarten voor een organisator: codes registreren en een PDF maken"
    )
    p.add_argument("--organisator", required=True, help="e-mailadres of nummer van de organisator")
    p.add_argument("--count", type=int, required=True, help="aantal kaarten (1-1000)")
    p.add_argument("--out", type=Path, required=True, help="het PDF-bestand")
    p.add_argument(
        "--layout",
        choices=("a4", "card"),
        default="a4",
        help="a4: 10 kaarten per vel, dubbelzijdig; card: één kaart per pagina voor een kaartprinter",
    )
    p.set_defaults(run=_cards)

    p = sub.add_parser("codes", help="nieuwe kaartcodes tonen zonder ze te registreren")
    p.add_argument("count", type=int)
    p.set_defaults(run=_codes)

    key_dir_help = "map van de updatesleutel (standaard: update_key_dir uit de instellingen)"
    p = sub.add_parser(
        "update-key", help="de updatesleutel van de organisatie maken (één keer); publiek deel in elke bundel"
    )
    p.add_argument("--key-dir", type=Path, help=key_dir_help)
    p.set_defaults(run=_update_key)
    p = sub.add_parser("sign-update", help="een wheel ondertekenen voor de scanners: schrijft WHEEL.sig")
    p.add_argument("wheel", type=Path)
    p.add_argument("--key-dir", type=Path, help=key_dir_help)
    p.set_defaults(run=_sign_update)
    return parser


def _key_dir(args: argparse.Namespace) -> Path:
    return args.key_dir if args.key_dir is not None else _settings(args).update_key_dir


def _update_key(args: argparse.Namespace) -> int:
    from provisioning.updates import make_key

    public = make_key(_key_dir(args))
    print(f"✓ updatesleutel gemaakt; de publieke sleutel {public} gaat voortaan mee in elke bundel.")
    print("  Bewaar een kopie van de privésleutel offline; scanners die al draaien krijgen de publieke")
    print("  sleutel met 'aanwezig-provision rekey UNIT' (nieuwe bundel).")
    return 0


def _sign_update(args: argparse.Namespace) -> int:
    from provisioning.updates import sign_update

    signature = sign_update(args.wheel, _key_dir(args))
    print(f"✓ {signature}")
    return 0


def _bundle_options(p: argparse.ArgumentParser, unit_id: bool) -> None:
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="map voor de bundel, bv. de map aanwezig op de bootpartitie van de SD-kaart; "
        "'-': als tar naar stdout",
    )
    if unit_id:
        p.add_argument(
            "--unit", dest="unit_id", help="id voor de nieuwe unit (standaard: unit-xxxxxx, willekeurig)"
        )
    p.add_argument(
        "--mode",
        choices=("auto", "arrival", "departure"),
        default="auto",
        help="auto: aankomst voor de middag, vertrek erna; arrival/departure: scanner aan een in- of uitgang",
    )


def _settings(args: argparse.Namespace):
    from provisioning.settings import load, settings_path

    return load(settings_path(args.config))


def _fleet(args: argparse.Namespace, stream=None):
    from provisioning.fleet import Fleet

    stream = stream or sys.stdout
    return Fleet(_settings(args), say=lambda line: print(line, file=stream, flush=True))


def _init(args: argparse.Namespace) -> int:
    fleet = _fleet(args)
    fleet.init()
    s = fleet.settings
    print(
        "\nVolgende stappen: `aanwezig-provision broker-conf --out /etc/mosquitto/conf.d/aanwezig.conf`\n"
        "(met TLS: eerst `aanwezig-provision tls --host NAAM`), `systemctl restart mosquitto`, en dan\n"
        f"de hub (her)starten: die verbindt als {s.hub_user} met {s.hub_broker}."
    )
    return 0


def _tls(args: argparse.Namespace) -> int:
    from provisioning.broker import group_id
    from provisioning.tls import make_broker_certificates

    s = _settings(args)
    files = make_broker_certificates(s.tls_dir, args.host, key_gid=group_id(s.broker_group))
    print(f"✓ CA: {files.ca_cert} (de sleutel {files.ca_key} verlaat de hub nooit)")
    print(f"✓ servercertificaat voor {', '.join(args.host)}: {files.server_cert}, {files.server_key}")
    print(
        "\nVolgende stappen: `aanwezig-provision broker-conf --out /etc/mosquitto/conf.d/aanwezig.conf`,\n"
        "`systemctl restart mosquitto` (een nieuw certificaat vraagt een herstart), en nieuwe bundels\n"
        "krijgen ca.crt mee."
    )
    return 0


def _broker_conf(args: argparse.Namespace) -> int:
    from provisioning.mosquitto import ListenerTls, broker_conf
    from provisioning.tls import TlsFiles

    s = _settings(args)
    files = TlsFiles.in_folder(s.tls_dir)
    text = broker_conf(
        s.password_file,
        s.acl_file,
        ListenerTls(files.server_cert, files.server_key) if s.unit_broker.tls else None,
        hub_listener=(s.hub_broker.host, s.hub_broker.port),
        unit_listener=(args.unit_bind, s.unit_broker.port),
    )
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
        print(f"✓ {args.out} geschreven; herstart Mosquitto: `systemctl restart mosquitto`")
    return 0


def _enrol(args: argparse.Namespace) -> int:
    return _with_bundle(
        args, "Scanner ingeschreven", lambda f, out: f.enrol(args.location, out, args.unit_id, args.mode)
    )


def _replace(args: argparse.Namespace) -> int:
    return _with_bundle(
        args,
        f"Scanner {args.unit} vervangen",
        lambda f, out: f.replace(args.unit, out, args.unit_id, args.mode),
    )


def _rekey(args: argparse.Namespace) -> int:
    return _with_bundle(args, "Nieuwe sleutel", lambda f, out: f.rekey(args.unit, out, args.mode))


def _with_bundle(args: argparse.Namespace, title: str, action) -> int:
    """Run an operation that writes a bundle: to ``--out DIR``, or with ``--out -`` as a tar on stdout.

    The tar form lets a technician write the bundle straight onto the SD card in the laptop,
    leaving no copy of the password on the hub:
    ``ssh hub sudo aanwezig-provision enrol LOCATIE --out - | tar -x -C /media/$USER/bootfs``
    """
    if str(args.out) != "-":
        fleet = _fleet(args)
        _summary(title, action(fleet, args.out), str(args.out), sys.stdout)
        return 0 if fleet.outcome.ok else 1
    fleet = _fleet(args, stream=sys.stderr)  # stdout carries the tar
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "aanwezig"
        enrolment = action(fleet, folder)
        with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as tar:
            tar.add(folder, arcname="aanwezig")
        sys.stdout.buffer.flush()
    _summary(title, enrolment, "naar stdout, als tar (map aanwezig/)", sys.stderr)
    return 0 if fleet.outcome.ok else 1


def _summary(title: str, enrolment, where: str, stream) -> None:
    identity, broker = enrolment.identity, enrolment.broker
    tls = (
        "TLS, met ca.crt in de bundel"
        if any(p.name == "ca.crt" for p in enrolment.bundle)
        else ("TLS" if broker.tls else "ZONDER TLS")
    )
    mode = {"auto": "aankomst voor de middag, vertrek erna", "arrival": "aankomst", "departure": "vertrek"}
    print(
        f"\n{title}\n"
        f"  Unit:     {identity.unit}\n"
        f"  Locatie:  {identity.location_name} ({identity.location})\n"
        f"  Broker:   {broker.host}:{broker.port} ({tls}), gebruiker {identity.unit}\n"
        f"  Modus:    {enrolment.mode} ({mode[enrolment.mode]})\n"
        f"  Bundel:   {where}\n"
        "\nSteek de SD-kaart in de scanner en zet hem aan. Bij de eerste start installeert hij de\n"
        "bundel en wist hij hem van de kaart; binnen een minuut staat hij online in\n"
        f"`aanwezig-provision list --location {identity.location}`.",
        file=stream,
    )


def _revoke(args: argparse.Namespace) -> int:
    fleet = _fleet(args)
    unit = fleet.revoke(args.unit)
    print(f"\nScanner {unit.id} ingetrokken: hij kan niet meer met de broker verbinden.")
    return 0 if fleet.outcome.ok else 1


def _sync(args: argparse.Namespace) -> int:
    fleet = _fleet(args)
    fleet.sync()
    return 0 if fleet.outcome.ok else 1


def _list(args: argparse.Namespace) -> int:
    from hub.units import service

    with service.database(_settings(args).database_path()) as db:
        overview = service.fleet(db, args.location)
        names = service.location_names(db)
    if args.location and not overview:
        raise ProvisionError(f"onbekende locatie {args.location!r}")
    if args.json:
        body = {loc: [vars(u) for u in found] for loc, found in overview.items()}
        print(json.dumps(body, indent=2))
        return 0
    for location, found in overview.items():
        print(f"{names[location]} ({location})")
        if not found:
            print("  geen scanners")
        for u in found:
            state = "ingetrokken" if u.state == "revoked" else ("online" if u.online else "offline")
            print(
                f"  {u.id:<20} {state:<12} laatst gezien {_when(u.last_seen):<16}  "
                f"wachtrij {'-' if u.backlog is None else u.backlog:<6} versie {u.version or '-'}"
            )
            if u.junk:
                print(f"  {'':<20} ⚠ stuurt ongeldige berichten: {u.junk}×, laatst {_when(u.junk_last)}")
    return 0


def _when(iso: str | None) -> str:
    if not iso:
        return "nooit"
    from hub.units.service import local_stamp

    return local_stamp(iso)


def _cards(args: argparse.Namespace) -> int:
    from hub.units import service
    from provisioning.cardsheet import COLUMNS, ROWS, card_sheet_pdf

    if not 1 <= args.count <= 1000:
        raise ProvisionError("--count: tussen 1 en 1000 kaarten per keer")
    with service.database(_settings(args).database_path()) as db:
        found = service.organisator(db, args.organisator)
        if found is None:
            raise ProvisionError(
                f"onbekende organisator {args.organisator!r} (geef het e-mailadres of het nummer)"
            )
        organisator_id, name = found
        codes = service.register_unassigned(db, organisator_id, args.count)
        pdf = card_sheet_pdf(codes, name, args.layout)
    args.out.write_bytes(pdf)
    print(f"✓ {args.count} nieuwe kaartcodes geregistreerd voor {name} (nog aan geen kind gekoppeld)")
    if args.layout == "a4":
        sheets = -(-args.count // (COLUMNS * ROWS))
        print(f"✓ {args.out}: {sheets} vel(len) A4, 10 kaarten per vel")
        print("  Dubbelzijdig afdrukken, omslaan langs de lange zijde, op ware grootte (100 %).")
    else:
        print(f"✓ {args.out}: {args.count} kaart(en) van 85,6 x 54 mm, voorzijde en achterzijde")
    return 0


def _codes(args: argparse.Namespace) -> int:
    for _ in range(args.count):
        code = cardcode.new_code()
        print(f"{code}\t{cardcode.pretty(code)}")
    return 0
