# SPDX-License-Identifier: GPL-3.0-or-later
"""Certificates and credentials of the secure lab (`lab.sh up --secure`).

The secure lab runs Cassandra with PasswordAuthenticator and client TLS, and the GWS emulator
over HTTPS. Everything is generated per lab directory, under tls/:

  ca.pem                the lab CA (self-signed, valid for 30 days); clients trust it
  ca-key.pem            its key, so that tests can issue certificates for other names
  node.p12              Cassandra's keystore (PKCS12): key and certificate for localhost and 127.0.0.1
  node-keystore-password  password of node.p12
  gws.pem, gws-key.pem  the emulator's certificate and key, for the same names
  credentials.json      the lab's Cassandra roles and their passwords

The passwords are lab data: they protect only throwaway lab data and are written to files with
mode 0600, never put on a command line.
"""

import datetime
import ipaddress
import json
import os
import secrets
import ssl
from pathlib import Path

# Cassandra roles of the secure lab. `cassandra` is the superuser that PasswordAuthenticator creates;
# the lab uses it only to create the schema and the two roles below.
SUPERUSER = ("cassandra", "cassandra")
GWS_ROLE = "lab_gws"
READER_ROLE = "gdpr_reader"

CERTIFICATE_DAYS = 30


def _write_private(path, data):
    """Write bytes to path, readable by the owner only (mode 0600)."""
    descriptor = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def make_ca(common_name):
    """Return (key, certificate) of a new self-signed CA."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_server_certificate(ca_key, ca_certificate, dns_names=("localhost",), ip_addresses=("127.0.0.1",)):
    """Return (key, certificate) of a TLS server certificate signed by the CA, for the given names."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(name) for name in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ip_addresses]
    common_name = (list(dns_names) + list(ip_addresses))[0]
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def pem_of_certificate(certificate):
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    return certificate.public_bytes(serialization.Encoding.PEM)


def pem_of_key(key):
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_certificate_pair(directory, stem, key, certificate):
    """Write <stem>.pem and <stem>-key.pem (mode 0600) to directory and return their paths."""
    directory = Path(directory)
    certificate_path = directory / ("%s.pem" % stem)
    key_path = directory / ("%s-key.pem" % stem)
    certificate_path.write_bytes(pem_of_certificate(certificate))
    _write_private(key_path, pem_of_key(key))
    return certificate_path, key_path


class SecureFiles:
    """Paths of the secure lab's generated files in <lab dir>/tls."""

    def __init__(self, lab_dir):
        self.directory = Path(lab_dir) / "tls"
        self.ca = self.directory / "ca.pem"
        self.ca_key = self.directory / "ca-key.pem"
        self.node_keystore = self.directory / "node.p12"
        self.node_keystore_password = self.directory / "node-keystore-password"
        self.gws_certificate = self.directory / "gws.pem"
        self.gws_key = self.directory / "gws-key.pem"
        self.credentials = self.directory / "credentials.json"
        self.gws_role_password = self.directory / "lab-gws-password"

    def exists(self):
        return all(path.is_file() for path in (self.ca, self.node_keystore, self.node_keystore_password,
                                               self.gws_certificate, self.gws_key, self.credentials))

    def read_credentials(self):
        """Return {role: password} for the lab's Cassandra roles."""
        return json.loads(self.credentials.read_text(encoding="utf-8"))


def generate_secure_files(lab_dir):
    """Create the CA, the node keystore, the emulator certificate and the role passwords; return SecureFiles."""
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.serialization import pkcs12  # pylint: disable=import-outside-toplevel

    files = SecureFiles(lab_dir)
    files.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(str(files.directory), 0o700)

    ca_key, ca_certificate = make_ca("gdpr.gws lab CA")
    files.ca.write_bytes(pem_of_certificate(ca_certificate))
    _write_private(files.ca_key, pem_of_key(ca_key))

    node_key, node_certificate = make_server_certificate(ca_key, ca_certificate)
    keystore_password = secrets.token_urlsafe(18)
    keystore = pkcs12.serialize_key_and_certificates(
        b"cassandra", node_key, node_certificate, [ca_certificate],
        serialization.BestAvailableEncryption(keystore_password.encode("ascii")))
    _write_private(files.node_keystore, keystore)
    _write_private(files.node_keystore_password, keystore_password.encode("ascii"))

    gws_key, gws_certificate = make_server_certificate(ca_key, ca_certificate)
    write_certificate_pair(files.directory, "gws", gws_key, gws_certificate)

    credentials = {GWS_ROLE: "lab-gws-password-" + secrets.token_hex(6),
                   READER_ROLE: "gdpr-reader-password-" + secrets.token_hex(6)}
    _write_private(files.credentials, json.dumps(credentials, indent=2).encode("utf-8"))
    _write_private(files.gws_role_password, credentials[GWS_ROLE].encode("utf-8"))
    return files


def load_ca(files):
    """Return (key, certificate) of the secure lab's CA."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    return key, x509.load_pem_x509_certificate(files.ca.read_bytes())


def client_ssl_context(ca_file):
    """Return a client SSLContext that trusts only ca_file and checks host names."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(ca_file))
    return context


def cluster_options(username=None, password_file=None, ca_file=None, password=None):
    """Return extra keyword arguments for cassandra.cluster.Cluster: authentication and TLS."""
    options = {}
    if username:
        from cassandra.auth import PlainTextAuthProvider  # pylint: disable=import-outside-toplevel
        if password is None:
            password = Path(password_file).read_text(encoding="utf-8").strip() if password_file else ""
        options["auth_provider"] = PlainTextAuthProvider(username=username, password=password)
    if ca_file:
        options["ssl_context"] = client_ssl_context(ca_file)
    return options


def cassandra_yaml_options(files):
    """Return the cassandra.yaml lines that turn on PasswordAuthenticator and client TLS."""
    keystore_password = files.node_keystore_password.read_text(encoding="ascii").strip()
    return "\n".join([
        "client_encryption_options:",
        "  enabled: true",
        "  optional: false",
        "  keystore: %s" % json.dumps(str(files.node_keystore)),
        "  keystore_password: %s" % json.dumps(keystore_password),
        "  store_type: PKCS12",
        "  require_client_auth: false",
        "",
    ])
