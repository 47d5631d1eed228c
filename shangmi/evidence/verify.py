"""Offline verification of a receipt: no database, no network, no trust in the platform.

Everything checked here is recomputed from the file, the receipt and the log's public key:
the file's digests, the salted commitments, the leaf bytes and hash, the inclusion proof up
to the checkpoint's root, the checkpoint's Ed25519 signature and, if present, the RFC 3161
timestamp token over the signed checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from shangmi.evidence import merkle
from shangmi.evidence.leaf import Leaf, LeafError, derive_salt, sha256_commitment, sm3, sm3_commitment
from shangmi.evidence.note import NoteError, open_checkpoint_following

# Format 2: the salt and digests may be absent (not escrowed with the platform); the enterprise's
# deposit key and the file rebuild them. Format 1 receipts always carry both.
RECEIPT_FORMAT = "shangmi-evidence-receipt/2"
RECEIPT_FORMATS = ("shangmi-evidence-receipt/1", RECEIPT_FORMAT)
CHUNK = 1 << 20
CST = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class FileDigests:
    sha256: bytes
    sm3: bytes | None
    size: int


class Readable(Protocol):
    """A binary stream that fills a buffer (a file opened unbuffered, a BytesIO)."""

    def readinto(self, buffer: bytearray, /) -> int | None: ...


def digest_stream(stream: Readable, *, with_sm3: bool = True) -> FileDigests:
    """Hash a stream once, in 1 MiB chunks, whatever its size (a 4 GB file never sits in memory).

    SM3 runs in a second thread on the same chunk: hashlib releases the GIL for large
    updates, so the two algorithms use both cores instead of taking turns.
    """
    sha = hashlib.sha256()
    sm = sm3() if with_sm3 else None
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    while count := stream.readinto(buffer):
        chunk = view[:count]
        if sm is None:
            sha.update(chunk)
        else:
            worker = threading.Thread(target=sm.update, args=(chunk,))
            worker.start()
            sha.update(chunk)
            worker.join()
        size += count
    return FileDigests(sha.digest(), sm.digest() if sm else None, size)


def digest_file(path: Path, *, with_sm3: bool = True) -> FileDigests:
    with open(path, "rb", buffering=0) as stream:
        return digest_stream(stream, with_sm3=with_sm3)


@dataclass
class Check:
    ok: bool
    zh: str
    en: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    index: int | None = None
    tree_size: int | None = None
    # The leaf's own time: what the platform says, not something this check proves.
    claimed_at: datetime | None = None
    timestamp_at: datetime | None = None
    timestamp_authority: str = ""
    cosigned: dict[str, int] = field(default_factory=dict)  # witness name -> cosignature time (POSIX)

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, ok: bool, zh: str, en: str) -> bool:
        self.checks.append(Check(ok, zh, en))
        return ok

    def summary(self) -> str:
        """What is proven, and what is only the platform's claim, said apart."""
        if not self.verified:
            failed = next(check for check in self.checks if not check.ok)
            return f"未通过验证 NOT VERIFIED: {failed.zh} / {failed.en}"
        zh = f"该文件是日志第 {self.index} 号条目，不晚于规模 {self.tree_size} 的签名检查点进入日志"
        en = f"this file is entry {self.index} of the log, in the log no later than signed checkpoint {self.tree_size}"
        if self.timestamp_at:
            tsa = self.timestamp_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
            zh += f"，时间戳机构 {self.timestamp_authority} 证明该检查点不晚于 {tsa}（北京时间）已存在"
            en += f", which timestamp authority {self.timestamp_authority} attests by {tsa} (Beijing time)"
        if self.cosigned:
            names = ", ".join(sorted(self.cosigned))
            by = (
                datetime.fromtimestamp(max(self.cosigned.values()), tz=UTC)
                .astimezone(CST)
                .strftime("%Y-%m-%d %H:%M:%S")
            )
            zh += f"，见证方 {names} 不晚于 {by}（北京时间）已联署该检查点"
            en += f", which witnesses {names} cosigned by {by} (Beijing time)"
        if not self.timestamp_at and not self.cosigned:
            zh += "，无第三方为其时间作证"
            en += "; no third party vouches for its time"
        if self.claimed_at:
            claimed = self.claimed_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
            zh += f"。平台自称的排序时间（非证明）：{claimed}"
            en += f". The platform's own claim of its time (not proof): {claimed}"
        return f"验证通过 VERIFIED: {zh} / {en}"


class ReceiptError(ValueError):
    pass


def _witnessed(receipt: dict[str, Any], report: Report, witnesses: Sequence[str], quorum: int) -> None:
    from shangmi.evidence.witness import WitnessKey, cosignatures_by

    try:
        keys = [WitnessKey.parse(key) for key in witnesses]
    except NoteError as exc:
        report.add(False, f"见证方公钥无效：{exc}", f"invalid witness key: {exc}")
        return
    report.cosigned = cosignatures_by(receipt["checkpoint"], keys)
    count = len(report.cosigned)
    report.add(
        count >= quorum,
        f"检查点有 {count} 个指定见证方的有效联署，要求至少 {quorum} 个",
        f"the checkpoint carries valid cosignatures from {count} of the listed witnesses; the policy requires {quorum}",
    )


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReceiptError(f"receipt field {what} is not base64") from exc


def _hex(value: Any, what: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError as exc:
        raise ReceiptError(f"receipt field {what} is not hexadecimal") from exc


def verify_receipt(
    receipt: dict[str, Any],
    *,
    verifier_key: str,
    file: FileDigests | None = None,
    tsa_certs: tuple[bytes, ...] = (),
    witnesses: Sequence[str] = (),
    quorum: int | None = None,
    deposit_key: bytes | None = None,
) -> Report:
    """Check a receipt (and the file it is about) against the log's public key.

    ``deposit_key`` (the enterprise's) rebuilds the salt from the file's SHA-256: needed for a
    receipt that carries no salt (not escrowed), and checked against the salt of one that does.

    ``witnesses`` (their public keys) and ``quorum`` (how many of them must have cosigned the
    checkpoint; all of them by default) are the verifier's policy: a receipt whose checkpoint
    lacks them is refused, whatever else holds.
    """
    report = Report()
    try:
        _verify(receipt, report, verifier_key, file, tsa_certs, deposit_key)
        if report.verified and witnesses:
            _witnessed(receipt, report, witnesses, len(witnesses) if quorum is None else quorum)
    except (ReceiptError, KeyError, TypeError) as exc:
        report.add(False, f"回执格式错误：{exc}", f"malformed receipt: {exc}")
    return report


def _verify(
    receipt: dict[str, Any],
    report: Report,
    verifier_key: str,
    file: FileDigests | None,
    tsa_certs: tuple[bytes, ...],
    deposit_key: bytes | None = None,
) -> None:
    # Each step adds its lines to the report and says whether the next one is worth taking:
    # the first failure ends the check, so the report names the first thing that does not hold.
    if receipt.get("format") not in RECEIPT_FORMATS:
        report.add(False, "不是本平台的存证回执", f"not a receipt of format {RECEIPT_FORMAT}")
        return
    salted = _salted_digests(receipt, report, file, deposit_key)
    if salted is None:
        return
    salt, sha_digest, sm3_hex = salted
    leaf = _committed_leaf(receipt, report, salt, sha_digest, sm3_hex)
    if leaf is None:
        return
    report.claimed_at = datetime.fromtimestamp(leaf.time_ms / 1000, tz=UTC)
    if not _included(receipt, report, verifier_key, leaf):
        return
    token = receipt.get("timestamp_token")
    if token:
        _timestamp_valid(receipt, report, token, tsa_certs)


def _salted_digests(
    receipt: dict[str, Any], report: Report, file: FileDigests | None, deposit_key: bytes | None
) -> tuple[bytes, bytes, str] | None:
    """The salt and digests the commitments are checked with: the receipt's, or rebuilt.

    A receipt that was not escrowed with the platform carries neither salt nor digests; the
    file gives the digests and the enterprise's deposit key the salt. Given a key, a salt the
    receipt does carry must be the one the key derives.
    """
    digests = receipt.get("digests") or {}
    sha_hex = digests.get("sha256") or ""
    sm3_hex = digests.get("sm3") or ""
    if sha_hex:
        sha_digest = _hex(sha_hex, "digests.sha256")
        if file is not None and not _file_matches(report, file, sha_digest, sm3_hex):
            return None
    elif file is not None:
        sha_digest = file.sha256
        # The file's SM3 is checked against the leaf's SM3 commitment when the deposit has one.
        sm3_hex = file.sm3.hex() if file.sm3 is not None and receipt.get("sm3_commitment") else ""
    else:
        report.add(
            False,
            "回执不含文件摘要（未托管于平台）：请提供所存证的文件",
            "the receipt holds no digests (not escrowed with the platform): give the deposited file",
        )
        return None
    if deposit_key is not None:
        try:
            derived = derive_salt(deposit_key, sha_digest)
        except LeafError as exc:
            report.add(False, f"存证密钥无效：{exc}", f"invalid deposit key: {exc}")
            return None
        if receipt.get("salt") and _hex(receipt["salt"], "salt") != derived:
            report.add(
                False,
                "回执中的盐值不是由该存证密钥派生的",
                "the receipt's salt was not derived from this deposit key",
            )
            return None
        report.add(True, "盐值由企业存证密钥与文件重新派生", "salt rebuilt from the deposit key and the file")
        return derived, sha_digest, sm3_hex
    if not receipt.get("salt"):
        report.add(
            False,
            "回执不含盐值（未托管于平台）：请提供企业的存证密钥（--deposit-key）",
            "the receipt holds no salt (not escrowed with the platform): give the enterprise's deposit key "
            "(--deposit-key)",
        )
        return None
    return _hex(receipt["salt"], "salt"), sha_digest, sm3_hex


def _file_matches(report: Report, file: FileDigests, sha_digest: bytes, sm3_hex: str) -> bool:
    """The file's digests against the receipt's: SHA-256 always, SM3 when both sides have it."""
    if not report.add(
        file.sha256 == sha_digest,
        "文件的 SHA-256 与回执一致" if file.sha256 == sha_digest else "文件的 SHA-256 与回执不符：不是存证的那个文件",
        "the file's SHA-256 matches the receipt"
        if file.sha256 == sha_digest
        else "the file's SHA-256 differs from the receipt: not the deposited file",
    ):
        return False
    if sm3_hex and file.sm3 is not None:
        same = file.sm3 == _hex(sm3_hex, "digests.sm3")
        return report.add(
            same,
            "文件的 SM3 与回执一致" if same else "文件的 SM3 与回执不符",
            f"SM3 {'matches' if same else 'differs'}",
        )
    return True


def _committed_leaf(
    receipt: dict[str, Any], report: Report, salt: bytes, sha_digest: bytes, sm3_hex: str
) -> Leaf | None:
    """The receipt's leaf if it is sequenced, well formed and commits to the receipt's salted digests."""
    if not receipt["leaf"].get("data"):
        report.add(
            False,
            "存证尚未排序入日志，请稍后重新下载回执",
            "the deposit is not yet sequenced: download the receipt again later",
        )
        return None
    try:
        leaf = Leaf.from_bytes(_b64(receipt["leaf"]["data"], "leaf.data"))
    except LeafError as exc:
        report.add(False, f"叶子数据无效：{exc}", f"invalid leaf: {exc}")
        return None
    ok = leaf.sha256_commitment == sha256_commitment(salt, sha_digest)
    if not report.add(
        ok,
        "加盐承诺与摘要一致" if ok else "加盐承诺与摘要不符",
        f"salted commitment {'matches' if ok else 'does not match'}",
    ):
        return None
    if sm3_hex:
        ok = leaf.sm3_commitment == sm3_commitment(salt, _hex(sm3_hex, "digests.sm3"))
        if not report.add(
            ok, "SM3 承诺一致" if ok else "SM3 承诺不符", f"SM3 commitment {'matches' if ok else 'does not match'}"
        ):
            return None
    return leaf


def _included(receipt: dict[str, Any], report: Report, verifier_key: str, leaf: Leaf) -> bool:
    """The checkpoint is signed by the log's key and the inclusion proof puts the leaf in its tree."""
    leaf_hash = merkle.leaf_hash(leaf.to_bytes())
    if receipt.get("status") != "sequenced" or not receipt.get("checkpoint") or not receipt.get("inclusion"):
        report.add(
            False,
            "存证尚未排序入日志，请稍后重新下载回执",
            "the deposit is not yet sequenced: download the receipt again later",
        )
        return False
    try:
        rotations = receipt["log"].get("key_rotations") or []
        checkpoint = open_checkpoint_following(
            receipt["checkpoint"], verifier_key, rotations, origin=receipt["log"]["origin"]
        )
    except NoteError as exc:
        report.add(False, f"检查点签名无效：{exc}", f"checkpoint signature invalid: {exc}")
        return False
    report.add(True, "检查点签名有效", f"checkpoint signed by {checkpoint.origin}")
    index = receipt["leaf"]["index"]
    inclusion = receipt["inclusion"]
    if not isinstance(index, int) or inclusion["tree_size"] != checkpoint.size:
        report.add(False, "回执中的序号或树规模与检查点不符", "index or tree size does not match the checkpoint")
        return False
    proof = [_b64(node, "inclusion.proof") for node in inclusion["proof"]]
    try:
        merkle.verify_inclusion(leaf_hash, index, checkpoint.size, proof, checkpoint.root)
    except merkle.ProofError as exc:
        report.add(False, f"包含证明无效：{exc}", f"inclusion proof invalid: {exc}")
        return False
    report.add(True, "包含证明有效：叶子在检查点的树中", "inclusion proof valid: the leaf is in the checkpoint's tree")
    report.index, report.tree_size = index, checkpoint.size
    return True


def _timestamp_valid(receipt: dict[str, Any], report: Report, token: Any, tsa_certs: tuple[bytes, ...]) -> None:
    """The RFC 3161 token over the checkpoint, anchored in ``tsa_certs`` when given."""
    from shangmi.evidence.timestamp import TimestampError, verify_timestamp

    try:
        info = verify_timestamp(_b64(token, "timestamp_token"), receipt["checkpoint"].encode(), tsa_certs)
    except TimestampError as exc:
        report.add(False, f"时间戳令牌无效：{exc}", f"timestamp token invalid: {exc}")
        return
    report.timestamp_at = info.gen_time
    report.timestamp_authority = info.tsa_subject
    anchored = "（已核验颁发机构）" if tsa_certs else "（未提供颁发机构证书，未核验信任链）"
    report.add(True, f"可信时间戳有效：{info.tsa_subject}{anchored}", f"RFC 3161 timestamp valid: {info.tsa_subject}")
