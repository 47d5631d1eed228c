"""RFC 3161 timestamps (shangmi.evidence.timestamp) against a local openssl-backed TSA on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from shangmi.evidence.timestamp import TimestampError, build_request, request_timestamp, verify_timestamp
from tests.evidence.tsa import (
    OPENSSL,
    TSA_POLICY,
    LocalTSA,
    PrivateKey,
    local_tsa,  # noqa: F401  (registers the fixture in this module)
    make_cert,
    make_key,
    serve,
)

DATA = b"evidence bundle digest input"
DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def tsa(request: pytest.FixtureRequest) -> LocalTSA:
    # Looked up by name so the imported fixture is not shadowed by a parameter (ruff F811).
    return request.getfixturevalue("local_tsa")


@pytest.fixture(scope="module")
def token(tsa: LocalTSA) -> bytes:
    return request_timestamp(DATA, tsa.url)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(DER)


def _flip(blob: bytes, index: int) -> bytes:
    altered = bytearray(blob)
    altered[index] ^= 0x01
    return bytes(altered)


def _signer_info(token: bytes) -> cms.SignerInfo:
    return cms.ContentInfo.load(token)["content"]["signer_infos"][0]


# --- happy paths --------------------------------------------------------------------------------


def test_request_and_verify_round_trip(tsa: LocalTSA, token: bytes) -> None:
    info = verify_timestamp(token, DATA, [tsa.ca_cert_der])
    assert info.anchored
    assert abs(info.gen_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert info.gen_time.tzinfo is not None and info.gen_time.utcoffset() == dt.timedelta(0)
    assert info.policy == TSA_POLICY
    assert info.tsa_subject == "CN=Shangmi Test TSA (rsa),O=Shangmi Test"
    assert info.serial_number > 0


def test_without_trusted_certs_the_result_is_not_anchored(token: bytes) -> None:
    assert verify_timestamp(token, DATA).anchored is False


def test_trusted_certs_may_be_pem_or_the_tsa_cert_itself(tsa: LocalTSA, token: bytes) -> None:
    assert verify_timestamp(token, DATA, [tsa.ca_cert.public_bytes(serialization.Encoding.PEM)]).anchored
    assert verify_timestamp(token, DATA, [tsa.tsa_cert_der]).anchored


def test_ecdsa_signed_token(tsa: LocalTSA) -> None:
    with serve(lambda query: (200, tsa.respond(query, kind="ec"))) as url:
        ec_token = request_timestamp(DATA, url)
    info = verify_timestamp(ec_token, DATA, [tsa.ca_cert_der])
    assert info.anchored and "(ec)" in info.tsa_subject


def test_build_request_is_a_sha256_query_with_cert_req() -> None:
    request = tsp.TimeStampReq.load(build_request(DATA, nonce=7))
    assert request["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert request["message_imprint"]["hashed_message"].native == hashlib.sha256(DATA).digest()
    assert request["nonce"].native == 7
    assert request["cert_req"].native is True
    assert tsp.TimeStampReq.load(build_request(DATA))["nonce"].native is not None  # random nonce by default


def test_openssl_verifies_our_token(tsa: LocalTSA, token: bytes, tmp_path: Path) -> None:
    # Interoperability: the stock openssl verifier accepts the same token and data ...
    (tmp_path / "data").write_bytes(DATA)
    (tmp_path / "token.der").write_bytes(token)
    command = [
        OPENSSL,
        "ts",
        "-verify",
        "-data",
        str(tmp_path / "data"),
        "-in",
        str(tmp_path / "token.der"),
        "-token_in",
        "-CAfile",
        str(tsa.ca_pem_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout
    # ... and rejects it for other data, as we do.
    (tmp_path / "data").write_bytes(DATA + b"!")
    assert subprocess.run(command, capture_output=True, timeout=30).returncode != 0


# --- forged or unrelated tokens -----------------------------------------------------------------


def test_wrong_data_fails(token: bytes) -> None:
    with pytest.raises(TimestampError, match="imprint"):
        verify_timestamp(token, DATA + b"!")


def test_altered_tstinfo_fails(token: bytes) -> None:
    encap = cms.ContentInfo.load(token)["content"]["encap_content_info"]
    gen_time = encap["content"].parsed["gen_time"].dump()
    # Change the last digit of the seconds: still a valid TSTInfo, but no longer the signed one.
    index = token.index(gen_time) + len(gen_time) - 2
    with pytest.raises(TimestampError, match="message-digest"):
        verify_timestamp(_flip(token, index), DATA)


def test_altered_signature_fails(token: bytes) -> None:
    signature = _signer_info(token)["signature"].native
    index = token.rindex(signature) + len(signature) // 2
    with pytest.raises(TimestampError, match="signature is invalid"):
        verify_timestamp(_flip(token, index), DATA)


def test_altered_signed_attribute_fails(token: bytes) -> None:
    attrs = _signer_info(token)["signed_attrs"]
    signing_time = next(a for a in attrs if a["type"].native == "signing_time")["values"][0].dump()
    index = token.index(signing_time) + len(signing_time) - 2
    with pytest.raises(TimestampError, match="signature is invalid"):
        verify_timestamp(_flip(token, index), DATA)


def test_garbage_token_fails() -> None:
    for blob in (b"", b"\x30\x03\x02\x01\x01", b"not der at all"):
        with pytest.raises(TimestampError):
            verify_timestamp(blob, DATA)


def test_trailing_bytes_fail(token: bytes) -> None:
    with pytest.raises(TimestampError):
        verify_timestamp(token + b"\x00", DATA)


def test_untrusted_ca_fails(token: bytes) -> None:
    other_key = make_key()
    other_ca = make_cert("Some Other CA", other_key, ca=True)
    with pytest.raises(TimestampError, match="not issued by any trusted"):
        verify_timestamp(token, DATA, [_der(other_ca)])


def test_impostor_ca_with_the_same_name_fails(tsa: LocalTSA, token: bytes) -> None:
    impostor = make_cert("Shangmi Test Root CA", make_key(), ca=True)
    assert impostor.subject == tsa.ca_cert.subject
    with pytest.raises(TimestampError, match="not issued by any trusted"):
        verify_timestamp(token, DATA, [_der(impostor)])


def _resign(token: bytes, cert: x509.Certificate, key: PrivateKey, *, by_ski: bool = False) -> bytes:
    """Rebuild the token's SignerInfo for `cert`/`key`, keeping the TSTInfo: a TSA we control fully."""
    signed_data = cms.ContentInfo.load(token)["content"]
    old = signed_data["signer_infos"][0]
    cert_der = _der(cert)
    asn1_cert = asn1_x509.Certificate.load(cert_der)
    ess = tsp.SigningCertificateV2({"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]})
    attrs = [
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]})
        if attr["type"].native == "signing_certificate_v2"
        else attr
        for attr in old["signed_attrs"]
    ]
    if by_ski:
        sid = cms.SignerIdentifier({"subject_key_identifier": asn1_cert.key_identifier})
    else:
        sid = cms.SignerIdentifier(
            {"issuer_and_serial_number": {"issuer": asn1_cert.issuer, "serial_number": asn1_cert.serial_number}}
        )
    is_ec = isinstance(key, ec.EllipticCurvePrivateKey)
    signer_info = cms.SignerInfo(
        {
            "version": "v3" if by_ski else "v1",
            "sid": sid,
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": cms.CMSAttributes(attrs),
            "signature_algorithm": {"algorithm": "sha256_ecdsa" if is_ec else "sha256_rsa"},
            "signature": b"",
        }
    )
    to_sign = b"\x31" + signer_info["signed_attrs"].dump()[1:]
    if is_ec:
        signature = key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    else:
        signature = key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    signer_info["signature"] = signature
    new = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": signed_data["encap_content_info"],
            "certificates": [asn1_cert],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": new}).dump()


def test_resigned_token_with_subject_key_identifier_verifies(tsa: LocalTSA, token: bytes) -> None:
    # Proves _resign is faithful (so the negative tests below fail for the reason they claim) and
    # covers SignerIdentifier by SubjectKeyIdentifier.
    resigned = _resign(token, tsa.tsa_cert("ec"), tsa.keys["ec"], by_ski=True)
    assert verify_timestamp(resigned, DATA, [tsa.ca_cert_der]).anchored


def test_signer_without_timestamping_usage_fails(tsa: LocalTSA, token: bytes) -> None:
    key = make_key()
    plain = make_cert("Not A TSA", key, tsa.ca_cert, tsa.ca_key)
    with pytest.raises(TimestampError, match="timeStamping"):
        verify_timestamp(_resign(token, plain, key), DATA, [tsa.ca_cert_der])


def test_swapped_certificate_fails_the_signing_certificate_attribute(tsa: LocalTSA, token: bytes) -> None:
    # Same issuer, serial and key as the real TSA cert but different content: only the ESS
    # signing-certificate attribute tells them apart.
    real = tsa.tsa_cert("rsa")
    twin = make_cert("Shangmi Test TSA (rsa)", tsa.keys["rsa"], tsa.ca_cert, tsa.ca_key, serial=real.serial_number)
    content_info = cms.ContentInfo.load(token)
    content_info["content"]["certificates"] = [asn1_x509.Certificate.load(_der(twin))]
    with pytest.raises(TimestampError, match="signing-certificate"):
        verify_timestamp(content_info.dump(force=True), DATA)


# --- talking to the TSA -------------------------------------------------------------------------


def test_real_openssl_rejection_raises(tsa: LocalTSA) -> None:
    def unacceptable_policy(query: bytes) -> tuple[int, bytes]:
        request = tsp.TimeStampReq.load(query)
        request["req_policy"] = "1.2.3.4.5"  # openssl answers "unaccepted policy"
        return 200, tsa.respond(request.dump())

    with serve(unacceptable_policy) as url, pytest.raises(TimestampError, match="refused"):
        request_timestamp(DATA, url)


def test_rejection_raises() -> None:
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["no"], "fail_info": {"bad_request"}})
    rejection = b"\x30" + bytes([len(status.dump())]) + status.dump()  # SEQUENCE { status } without a token
    with serve(lambda _query: (200, rejection)) as url, pytest.raises(TimestampError, match="rejection"):
        request_timestamp(DATA, url)


@pytest.mark.parametrize("answer", [(200, b"garbage"), (200, b""), (500, b"oops"), (404, b"")])
def test_garbage_or_http_error_raises(answer: tuple[int, bytes]) -> None:
    with serve(lambda _query: answer) as url, pytest.raises(TimestampError):
        request_timestamp(DATA, url)


def test_replayed_answer_with_other_nonce_raises(tsa: LocalTSA) -> None:
    stale = tsa.respond(build_request(DATA, nonce=12345))
    with serve(lambda _query: (200, stale)) as url, pytest.raises(TimestampError, match="nonce"):
        request_timestamp(DATA, url)


def test_answer_for_other_data_raises(tsa: LocalTSA) -> None:
    def other_data(query: bytes) -> tuple[int, bytes]:
        nonce = tsp.TimeStampReq.load(query)["nonce"].native  # echo the nonce, stamp something else
        return 200, tsa.respond(build_request(b"something else", nonce=nonce))

    with serve(other_data) as url, pytest.raises(TimestampError, match="imprint"):
        request_timestamp(DATA, url)


def test_unreachable_or_non_http_url_raises() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TimestampError, match="unreachable"):
        request_timestamp(DATA, f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(TimestampError, match="http"):
        request_timestamp(DATA, "file:///etc/passwd")
