"""A throwaway RFC 3161 timestamp authority for tests: our own CA, our own TSA certificates, and
`openssl ts -reply` behind an HTTP server on 127.0.0.1. Nothing leaves the machine.

Other test modules use it with `from tests.evidence.tsa import local_tsa  # noqa: F401`.
"""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL = "/usr/bin/openssl"
TSA_POLICY = "1.3.6.1.4.1.55555.1.1"  # arbitrary private-arc OID: tests check it round-trips

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
Responder = Callable[[bytes], tuple[int, bytes]]  # request body -> (HTTP status, response body)


def make_key(kind: str = "ec") -> PrivateKey:
    return rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())


def make_cert(
    subject_cn: str,
    key: PrivateKey,
    issuer_cert: x509.Certificate | None = None,
    issuer_key: PrivateKey | None = None,
    *,
    ca: bool = False,
    time_stamping: bool = False,
    serial: int | None = None,
) -> x509.Certificate:
    """Issue a certificate; self-signed when no issuer is given."""
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shangmi Test"),
            x509.NameAttribute(NameOID.COMMON_NAME, subject_cn),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    builder = builder.add_extension(usage, critical=True)
    if time_stamping:
        # RFC 3161 §2.3: the TSA certificate's EKU must be critical and contain only timeStamping.
        eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
        builder = builder.add_extension(eku, critical=True)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


_CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_digest = sha256
default_policy = {policy}
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class LocalTSA:
    """Files of a local TSA plus a running HTTP front end (`url`)."""

    dir: Path
    ca_cert: x509.Certificate
    ca_key: PrivateKey
    signers: dict[str, tuple[x509.Certificate, Path, Path]]  # kind -> (cert, cert PEM path, key PEM path)
    keys: dict[str, PrivateKey]  # kind -> TSA private key, for tests that forge or re-sign tokens
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ca_cert_der(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.DER)

    @property
    def ca_pem_path(self) -> Path:
        return self.dir / "ca.pem"

    def tsa_cert(self, kind: str = "rsa") -> x509.Certificate:
        return self.signers[kind][0]

    @property
    def tsa_cert_der(self) -> bytes:
        return self.tsa_cert().public_bytes(serialization.Encoding.DER)

    def respond(self, query: bytes, kind: str = "rsa") -> bytes:
        """Run `openssl ts -reply` on a DER TimeStampReq and return the DER TimeStampResp."""
        _cert, cert_path, key_path = self.signers[kind]
        # One request at a time: openssl rewrites the serial file and the files below are shared.
        with self._lock, tempfile.TemporaryDirectory(dir=self.dir) as work:
            query_path, reply_path = Path(work, "query.tsq"), Path(work, "reply.tsr")
            query_path.write_bytes(query)
            subprocess.run(
                [
                    OPENSSL,
                    "ts",
                    "-reply",
                    "-config",
                    str(self.dir / "tsa.cnf"),
                    "-queryfile",
                    str(query_path),
                    "-signer",
                    str(cert_path),
                    "-inkey",
                    str(key_path),
                    "-chain",
                    str(self.ca_pem_path),
                    "-out",
                    str(reply_path),
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )
            return reply_path.read_bytes()


def create_tsa(directory: Path) -> LocalTSA:
    """Generate a CA and two TSA certificates (RSA and EC P-256) plus an openssl TS config."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = make_key("ec")
    ca_cert = make_cert("Shangmi Test Root CA", ca_key, ca=True)
    (directory / "ca.pem").write_bytes(_pem_cert(ca_cert))
    signers, keys = {}, {}
    for kind in ("rsa", "ec"):
        key = make_key(kind)
        cert = make_cert(f"Shangmi Test TSA ({kind})", key, ca_cert, ca_key, time_stamping=True)
        cert_path, key_path = directory / f"tsa-{kind}.pem", directory / f"tsa-{kind}.key"
        cert_path.write_bytes(_pem_cert(cert))
        key_path.write_bytes(_pem_key(key))
        key_path.chmod(0o600)
        signers[kind] = (cert, cert_path, key_path)
        keys[kind] = key
    (directory / "serial").write_text("01\n")
    (directory / "tsa.cnf").write_text(_CONFIG.format(dir=directory, policy=TSA_POLICY))
    return LocalTSA(dir=directory, ca_cert=ca_cert, ca_key=ca_key, signers=signers, keys=keys)


@contextmanager
def serve(responder: Responder) -> Iterator[str]:
    """Run an HTTP server on 127.0.0.1 whose POST answers come from `responder`; yield its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, body = responder(self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _openssl_responder(tsa: LocalTSA) -> Responder:
    def respond(query: bytes) -> tuple[int, bytes]:
        try:
            return 200, tsa.respond(query)
        except subprocess.CalledProcessError as exc:
            return 500, exc.stderr

    return respond


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTSA]:
    """A running local TSA: `.url`, `.ca_cert_der`, `.tsa_cert_der` (RSA signer), `.respond()`."""
    tsa = create_tsa(tmp_path_factory.mktemp("tsa"))
    with serve(_openssl_responder(tsa)) as url:
        tsa.url = url
        yield tsa
