"""A small private CA for the broker's TLS listener, for a hub without a publicly signed certificate.

``aanwezig-provision tls --host mqtt.example.org`` makes, in the broker folder's ``tls/``:

    ca.key, ca.crt          the CA (ECDSA P-256, 10 years); ca.crt goes into every unit's bundle
    server.key, server.crt  the broker's certificate for the given names and addresses (5 years)

Units check the broker's certificate against ca.crt alone, so a unit never trusts another
server that happens to hold a public certificate for the same name. The CA key never leaves
the hub; a new server certificate (another name, or before expiry) reuses the CA, so the units
need no new bundle.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from provisioning.broker import write_atomically

CA_DAYS = 3650
SERVER_DAYS = 1825


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path

    @classmethod
    def in_folder(cls, folder: Path) -> TlsFiles:
        return cls(folder / "ca.crt", folder / "ca.key", folder / "server.crt", folder / "server.key")


def make_broker_certificates(
    folder: Path, names: list[str], key_gid: int | None = None, now: datetime | None = None
) -> TlsFiles:
    """Create the CA (unless it exists) and a fresh server certificate for ``names`` (hosts or IPs)."""
    if not names:
        raise ValueError("the server certificate needs at least one host name or address")
    now = now or datetime.now(UTC)
    files = TlsFiles.in_folder(folder)
    if files.ca_cert.exists() and files.ca_key.exists():
        ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aanwezig broker CA")])
        ca_cert = (
            _builder(ca_name, ca_name, ca_key.public_key(), now, CA_DAYS)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        write_atomically(files.ca_key, _pem_key(ca_key), mode=0o600)
        write_atomically(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM).decode(), mode=0o644)

    server_key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    server_cert = (
        _builder(subject, ca_cert.subject, server_key.public_key(), now, SERVER_DAYS)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_atomically(files.server_key, _pem_key(server_key), mode=0o640, gid=key_gid)
    write_atomically(
        files.server_cert, server_cert.public_bytes(serialization.Encoding.PEM).decode(), mode=0o644
    )
    return files


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key, now: datetime, days: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
    )


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
