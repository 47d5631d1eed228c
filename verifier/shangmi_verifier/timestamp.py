# Generated from shangmi/evidence/timestamp.py by scripts/build_verifier.py: edit that file, not this one.
"""RFC 3161 trusted timestamps: ask a timestamp authority (TSA) to countersign a digest, and check the
resulting token offline years later.

asn1crypto does the ASN.1 and `cryptography` the signature maths. No Django import: the offline
evidence verifier runs this module without a database or settings.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

MAX_RESPONSE_BYTES = 1_000_000  # real tokens are a few KB; a bigger answer is not a timestamp
_GRANTED = {"granted", "granted_with_mods"}
# SHA-1 and MD5 are deliberately absent: a collision would let a token vouch for other content.
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(ValueError):
    """A timestamp request that failed, or a token that does not prove what it claims."""


@dataclass(frozen=True)
class TimestampInfo:
    gen_time: datetime  # aware, UTC
    serial_number: int
    tsa_subject: str  # RFC 4514 string of the signing certificate's subject
    policy: str  # dotted OID
    anchored: bool = False  # True only when trusted_certs were given and the signer chains to one


class _TimeStampResp(core.Sequence):
    """TimeStampResp as RFC 3161 §2.4.2 defines it.

    asn1crypto 1.5.1's tsp.TimeStampResp declares timeStampToken mandatory, so every rejection (which
    carries no token) would fail to parse and be misreported as garbage.
    """

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


# --- client -------------------------------------------------------------------------------------


def build_request(data: bytes, nonce: int | None = None) -> bytes:
    """DER TimeStampReq over SHA-256(data), asking the TSA to embed its certificate.

    A nonce is always sent (random when not given) so that a replayed old answer is detectable.
    """
    if nonce is None:
        nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": _sha256(data)},
            "nonce": nonce,
            # certReq: the token must carry the signer certificate so it can be checked offline.
            "cert_req": True,
        }
    )
    return request.dump()


def request_timestamp(data: bytes, url: str, timeout: float = 10.0) -> bytes:
    """Obtain a timestamp token for `data` from the TSA at `url`; return the DER TimeStampToken."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise TimestampError(f"timestamp authority URL must be http(s): {url!r}")
    nonce = secrets.randbits(63)
    http_request = urllib.request.Request(
        url,
        data=build_request(data, nonce),
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:  # HTTPError is a URLError
        raise TimestampError(f"timestamp authority {url} unreachable or failed: {exc}") from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise TimestampError("timestamp authority response is too large")
    token = _token_from_response(body, nonce, _sha256(data))
    # Check the signature now too: a TSA that hands out unverifiable tokens should fail loudly today,
    # not when the evidence is needed.
    verify_timestamp(token, data)
    return token


def _token_from_response(body: bytes, nonce: int, imprint: bytes) -> bytes:
    try:
        response = _TimeStampResp.load(body, strict=True)
        status = response["status"]["status"].native
        if status not in _GRANTED:
            detail = response["status"]["status_string"].native or response["status"]["fail_info"].native
            raise TimestampError(f"timestamp authority refused the request: {status} {detail or ''}".strip())
        token = response["time_stamp_token"]
        if token.native is None:
            raise TimestampError("timestamp authority granted the request but sent no token")
        tst = _tst_info(token)
        if tst["nonce"].native != nonce:
            raise TimestampError("timestamp response nonce does not match the request (replayed answer?)")
        _check_imprint(tst, imprint)
        return token.dump()
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"malformed timestamp response: {exc}") from exc


# --- verification -------------------------------------------------------------------------------


def verify_timestamp(token: bytes, data: bytes, trusted_certs: Sequence[bytes] = ()) -> TimestampInfo:
    """Check a TimeStampToken offline against `data`.

    With `trusted_certs` (DER or PEM; CA or TSA certificates) the signer must be one of them or be
    issued directly by one; without them the signature is still checked but the result is not
    anchored to any trust root and says so (`anchored=False`).
    """
    try:
        return _verify(token, data, trusted_certs)
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError) as exc:  # asn1crypto parses lazily and raises these
        raise TimestampError(f"malformed timestamp token: {exc}") from exc


def _verify(token: bytes, data: bytes, trusted_certs: Sequence[bytes]) -> TimestampInfo:
    content_info = cms.ContentInfo.load(token, strict=True)
    tst = _tst_info(content_info)
    if tst["version"].native != "v1":
        raise TimestampError("unsupported TSTInfo version")
    _check_imprint(tst, _sha256(data))
    gen_time = tst["gen_time"].native
    if not isinstance(gen_time, datetime):
        raise TimestampError("timestamp genTime is out of range")
    gen_time = gen_time.astimezone(UTC)

    trusted = _load_certs(trusted_certs)
    cert = _verified_signer(content_info["content"], trusted)
    _check_tsa_cert(cert, gen_time)
    if trusted:
        _check_anchor(cert, trusted, gen_time)
    return TimestampInfo(
        gen_time=gen_time,
        serial_number=tst["serial_number"].native,
        tsa_subject=cert.subject.rfc4514_string(),
        policy=tst["policy"].dotted,
        anchored=bool(trusted),
    )


def _verified_signer(signed_data: cms.SignedData, trusted: list[x509.Certificate]) -> x509.Certificate:
    """Check the CMS signature over the TSTInfo and return the certificate that made it."""
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:  # RFC 3161 §2.4.2: exactly one signer, the TSA
        raise TimestampError(f"timestamp token has {len(signer_infos)} signers, expected 1")
    signer_info = signer_infos[0]
    cert = _find_signer_cert(signer_info["sid"], _token_certs(signed_data), trusted)
    hash_name = signer_info["digest_algorithm"]["algorithm"].native
    if hash_name not in _HASHES:
        raise TimestampError(f"unsupported or weak signer digest algorithm {hash_name}")
    signed_attrs = _check_signed_attrs(signer_info, _tst_der(signed_data["encap_content_info"]), hash_name, cert)
    crypto_cert = x509.load_der_x509_certificate(cert.dump())
    _check_signature(signer_info, signed_attrs, hash_name, crypto_cert)
    return crypto_cert


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _tst_info(content_info: cms.ContentInfo) -> tsp.TSTInfo:
    if content_info["content_type"].native != "signed_data":
        raise TimestampError("timestamp token is not CMS SignedData")
    encap = content_info["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("timestamp token does not encapsulate a TSTInfo")
    if encap["content"].native is None:
        raise TimestampError("timestamp token has no TSTInfo content")
    # Parse strictly from the signed octets so trailing bytes cannot hide after the TSTInfo.
    return tsp.TSTInfo.load(_tst_der(encap), strict=True)


def _tst_der(encap: cms.EncapsulatedContentInfo) -> bytes:
    """The exact TSTInfo octets the message-digest attribute covers."""
    return bytes(encap["content"])


def _check_imprint(tst: tsp.TSTInfo, expected_sha256: bytes) -> None:
    imprint = tst["message_imprint"]
    if imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise TimestampError("timestamp message imprint is not SHA-256")
    if imprint["hashed_message"].native != expected_sha256:
        raise TimestampError("timestamp message imprint does not match the data")


def _load_certs(blobs: Iterable[bytes]) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    for blob in blobs:
        try:
            if b"-----BEGIN" in blob:
                certs.extend(x509.load_pem_x509_certificates(blob))
            else:
                certs.append(x509.load_der_x509_certificate(blob))
        except ValueError as exc:
            raise TimestampError(f"trusted certificate cannot be read: {exc}") from exc
    return certs


def _token_certs(signed_data: cms.SignedData) -> list[asn1_x509.Certificate]:
    if signed_data["certificates"].native is None:
        return []
    return [choice.chosen for choice in signed_data["certificates"] if choice.name == "certificate"]


def _find_signer_cert(
    sid: cms.SignerIdentifier, token_certs: list[asn1_x509.Certificate], trusted: list[x509.Certificate]
) -> asn1_x509.Certificate:
    # Trusted certificates are candidates too, so a token without embedded certificates still verifies
    # when the caller holds the TSA certificate.
    candidates = token_certs + [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted]
    for cert in candidates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native:
                return cert
        elif sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    raise TimestampError("the timestamp signer's certificate is not in the token")


def _single_attr(attrs: cms.CMSAttributes, name: str) -> Any | None:
    """The one value of a signed attribute, None if absent; duplicates are refused (RFC 5652 §5.3)."""
    found = [attr for attr in attrs if attr["type"].native == name]
    if not found:
        return None
    if len(found) > 1 or len(found[0]["values"]) != 1:
        raise TimestampError(f"signed attribute {name} must occur once with one value")
    return found[0]["values"][0]


def _check_signed_attrs(
    signer_info: cms.SignerInfo, tst_der: bytes, hash_name: str, cert: asn1_x509.Certificate
) -> cms.CMSAttributes:
    attrs = signer_info["signed_attrs"]
    if attrs.native is None:  # RFC 3161 requires signed attributes (content type, digest, ESS cert id)
        raise TimestampError("timestamp signer info has no signed attributes")
    content_type = _single_attr(attrs, "content_type")
    if content_type is None or content_type.native != "tst_info":
        raise TimestampError("signed content-type attribute is not id-ct-TSTInfo")
    digest = _single_attr(attrs, "message_digest")
    if digest is None or digest.native != hashlib.new(hash_name, tst_der).digest():
        raise TimestampError("signed message-digest attribute does not match the TSTInfo")
    _check_ess_cert_id(attrs, cert)
    return attrs


def _check_ess_cert_id(attrs: cms.CMSAttributes, cert: asn1_x509.Certificate) -> None:
    """The signing-certificate attribute binds the signature to one certificate (RFC 3161/5816).

    Without it, anyone holding a certificate for the same key (e.g. one without the timeStamping
    purpose) could swap it in.
    """
    cert_der = cert.dump()
    v2 = _single_attr(attrs, "signing_certificate_v2")
    v1 = _single_attr(attrs, "signing_certificate")
    if v2 is not None:
        first = v2["certs"][0]
        hash_name = first["hash_algorithm"]["algorithm"].native
        if hash_name not in _HASHES:
            raise TimestampError(f"unsupported ESS certificate hash {hash_name}")
        expected = hashlib.new(hash_name, cert_der).digest()
    elif v1 is not None:
        first = v1["certs"][0]
        # v1 is fixed to SHA-1 by RFC 2634; it only identifies a certificate we already hold.
        expected = hashlib.sha1(cert_der).digest()
    else:
        raise TimestampError("timestamp has no signing-certificate attribute")
    if first["cert_hash"].native != expected:
        raise TimestampError("signing-certificate attribute does not match the signer certificate")


def _check_signature(
    signer_info: cms.SignerInfo, attrs: cms.CMSAttributes, hash_name: str, cert: x509.Certificate
) -> None:
    # The signature covers the DER of the attributes as a SET OF (tag 0x31), not the [0] IMPLICIT
    # form they are stored in (RFC 5652 §5.4). Use the original bytes: re-encoding could differ.
    stored = attrs.dump()
    if stored[0] != 0xA0:
        raise TimestampError("unexpected signed attributes encoding")
    signed_bytes = b"\x31" + stored[1:]
    signature = signer_info["signature"].native
    sig_alg: algos.SignedDigestAlgorithm = signer_info["signature_algorithm"]
    algo = sig_alg.signature_algo
    hash_algorithm = _HASHES[hash_name]()
    public_key = cert.public_key()
    try:
        if algo == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            _check_hash_consistent(sig_alg, hash_name)
            public_key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_algorithm)
        elif algo == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = sig_alg["parameters"]
            pss_hash = _HASHES.get(params["hash_algorithm"]["algorithm"].native)
            mgf_hash = _HASHES.get(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
            if pss_hash is None or mgf_hash is None:
                raise TimestampError("unsupported RSA-PSS hash")
            pss = padding.PSS(mgf=padding.MGF1(mgf_hash()), salt_length=params["salt_length"].native)
            public_key.verify(signature, signed_bytes, pss, pss_hash())
        elif algo == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            _check_hash_consistent(sig_alg, hash_name)
            public_key.verify(signature, signed_bytes, ec.ECDSA(hash_algorithm))
        elif algo == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, signed_bytes)
        else:
            raise TimestampError(f"unsupported signature algorithm {algo} for {type(public_key).__name__}")
    except InvalidSignature as exc:
        raise TimestampError("timestamp signature is invalid") from exc
    except UnsupportedAlgorithm as exc:
        raise TimestampError(f"unsupported signature algorithm: {exc}") from exc


def _check_hash_consistent(sig_alg: algos.SignedDigestAlgorithm, hash_name: str) -> None:
    """An OID like sha384WithRSA names its own hash; it must agree with the signer's digestAlgorithm."""
    try:
        implied = sig_alg.hash_algo
    except ValueError:
        return  # plain rsaEncryption / ecPublicKey style OIDs leave the hash to digestAlgorithm
    if implied != hash_name:
        raise TimestampError(f"signature algorithm hash {implied} differs from digest algorithm {hash_name}")


def _check_tsa_cert(cert: x509.Certificate, gen_time: datetime) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or x509.oid.ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TimestampError("timestamp signer certificate lacks the timeStamping extended key usage")
    if not cert.not_valid_before_utc <= gen_time <= cert.not_valid_after_utc:
        raise TimestampError("timestamp signer certificate was not valid at the time stamped")


def _check_anchor(cert: x509.Certificate, trusted: list[x509.Certificate], gen_time: datetime) -> None:
    """The signer must be a trusted certificate itself or be issued directly by a trusted CA."""
    if any(cert == anchor for anchor in trusted):
        return
    for anchor in trusted:
        if anchor.subject != cert.issuer or not _is_ca(anchor):
            continue
        if not anchor.not_valid_before_utc <= gen_time <= anchor.not_valid_after_utc:
            continue
        try:
            cert.verify_directly_issued_by(anchor)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return
    raise TimestampError("timestamp signer is not issued by any trusted certificate")


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False
