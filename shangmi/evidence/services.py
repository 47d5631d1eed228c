"""Writes of the evidence deposit: taking in digests (never content) from an enterprise."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import ADD, CHANGE, VIEW, ensure_in_scope, scope_q
from shangmi.evidence.leaf import SALT_SIZE, sha256_commitment, sm3_commitment
from shangmi.evidence.models import Deposit

_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_BATCH = 1000
MAX_FILE_SIZE = 2**63 - 1  # what the file_size column (a signed 64-bit integer) holds


class DepositError(ValueError):
    """A deposit was refused; ``errors`` names each bad item (by its position) and why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class DepositInput:
    title: str
    sha256: str
    sm3: str = ""
    file_name: str = ""
    file_size: int | None = None
    secret_point: str = ""
    project: str = ""
    version_note: str = ""
    previous: str | None = None  # id of the deposit this one is a new version of
    salt: str | None = None  # with the digests (escrowed): the client's salt, else one is drawn here
    # Without the digests: the salted commitments the client computed with a salt derived from
    # its deposit key (leaf.derive_salt). Nothing the platform keeps then confirms a guess.
    commitment: str = ""
    sm3_commitment: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> DepositInput:
        size = data.get("file_size")
        return cls(
            # A title of spaces is no title; a file name stands in for it, its first 200 characters
            # (the file name itself is kept whole).
            title=str(data.get("title") or "").strip() or str(data.get("file_name") or "").strip()[:200],
            sha256=str(data.get("sha256") or "").strip().lower(),
            sm3=str(data.get("sm3") or "").strip().lower(),
            file_name=str(data.get("file_name") or "").strip(),
            file_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            secret_point=str(data.get("secret_point") or "").strip(),
            project=str(data.get("project") or "").strip(),
            version_note=str(data.get("version_note") or "").strip(),
            previous=str(data["previous"]).strip() if data.get("previous") else None,
            salt=str(data["salt"]).strip().lower() if data.get("salt") else None,
            commitment=str(data.get("commitment") or "").strip().lower(),
            sm3_commitment=str(data.get("sm3_commitment") or "").strip().lower(),
        )

    @property
    def escrowed(self) -> bool:
        """Sending the file's digest is escrowing it: the platform then keeps digests and salt."""
        return bool(self.sha256)


def _column_errors(item: DepositInput) -> list[str]:
    """Longer than their columns: PostgreSQL refused the row with a server error."""
    errors = []
    texts = (item.title, item.file_name, item.version_note, item.secret_point, item.project)
    if any("\x00" in text for text in texts):
        errors.append(_("text may not hold a NUL character / 文字中不能含有空字符 (NUL)"))
    if len(item.file_name) > 500:
        errors.append(_("the file name is longer than 500 characters / 文件名超过 500 字"))
    if len(item.version_note) > 500:
        errors.append(_("the version note is longer than 500 characters / 版本说明超过 500 字"))
    return errors


def _item_errors(item: DepositInput) -> list[str]:
    errors = []
    if not item.title:
        errors.append(_("a title is required / 请填写标题"))
    elif len(item.title) > 200:
        errors.append(_("the title is longer than 200 characters / 标题超过 200 字"))
    if item.escrowed or not item.commitment:
        if not _HEX64.fullmatch(item.sha256):
            errors.append(_("SHA-256 must be 64 hexadecimal characters / SHA-256 摘要须为 64 位十六进制"))
        if item.sm3 and not _HEX64.fullmatch(item.sm3):
            errors.append(_("SM3 must be 64 hexadecimal characters / SM3 摘要须为 64 位十六进制"))
        if item.salt is not None and not _HEX64.fullmatch(item.salt):
            errors.append(_("the salt must be 64 hexadecimal characters / 盐值须为 64 位十六进制"))
    else:
        if not _HEX64.fullmatch(item.commitment):
            errors.append(_("the commitment must be 64 hexadecimal characters / 承诺值须为 64 位十六进制"))
        if item.sm3_commitment and not _HEX64.fullmatch(item.sm3_commitment):
            errors.append(_("the SM3 commitment must be 64 hexadecimal characters / SM3 承诺值须为 64 位十六进制"))
        if item.sm3 or item.salt:
            # An SM3 digest or a salt without the SHA-256 digest is half an escrow: refuse it
            # rather than keep a secret the enterprise meant to keep to itself.
            errors.append(
                _("to escrow the SM3 digest or the salt, send the SHA-256 digest too / 托管须同时提供 SHA-256 摘要")
            )
    if item.file_size is not None and item.file_size < 0:
        errors.append(_("the file size cannot be negative / 文件大小不能为负"))
    elif item.file_size is not None and item.file_size > MAX_FILE_SIZE:
        # A number the database cannot hold was a 500; no file is this large anyway.
        errors.append(_("the file size is too large / 文件大小超出范围"))
    errors += _column_errors(item)
    for name, value in (("secret_point", item.secret_point), ("project", item.project)):
        if len(value) > 200:
            errors.append(_("%(field)s is longer than 200 characters / %(field)s 超过 200 字") % {"field": name})
    return errors


def deposits_create(*, user: Any, items: Sequence[DepositInput], source: str = Deposit.Source.API) -> list[Deposit]:
    """Record deposits for the user's own enterprise: all of them, or none with every reason.

    Only digests and metadata arrive here; the salted commitments that the public log will
    hold are computed now, and the deposits wait for the sequencer to give them an index.
    """
    if scope_q(Deposit, user, ADD) is None or getattr(user, "enterprise_id", None) is None:
        raise DepositError([_("only an enterprise's own users can deposit evidence / 仅企业用户可以存证")])
    if not items:
        raise DepositError([_("nothing to deposit / 没有要存证的文件")])
    if len(items) > MAX_BATCH:
        raise DepositError([_("at most %(n)d deposits per request / 每次最多 %(n)d 条") % {"n": MAX_BATCH}])

    previous_ids = {item.previous for item in items if item.previous}
    # The previous version must be one of this enterprise's own deposits: an id from
    # elsewhere is "not found", never a hint that it exists.
    own_previous = set()
    if previous_ids:
        valid = [p for p in previous_ids if is_uuid(p)]
        own_previous = {
            str(pk) for pk in Deposit.objects.restrict(user, VIEW).filter(pk__in=valid).values_list("pk", flat=True)
        }
    errors: list[str] = []
    for position, item in enumerate(items, start=1):
        problems = _item_errors(item)
        if item.previous and item.previous not in own_previous:
            problems.append(_("previous deposit not found / 未找到上一版本的存证"))
        errors.extend(f"#{position} {item.file_name or item.title}: {problem}" for problem in problems)
    if errors:
        raise DepositError(errors)

    now = timezone.now()
    deposits = []
    for item in items:
        if item.escrowed:
            salt = bytes.fromhex(item.salt) if item.salt else secrets.token_bytes(SALT_SIZE)
            commitment = sha256_commitment(salt, bytes.fromhex(item.sha256)).hex()
            # SM3 is optional (a bulk client may skip it for speed); its commitment is then empty.
            sm3_value = sm3_commitment(salt, bytes.fromhex(item.sm3)).hex() if item.sm3 else ""
            salt_hex = salt.hex()
        else:
            commitment, sm3_value, salt_hex = item.commitment, item.sm3_commitment, ""
        deposits.append(
            Deposit(
                enterprise_id=user.enterprise_id,
                created_by=user,
                title=item.title,
                secret_point=item.secret_point,
                project=item.project,
                version_note=item.version_note,
                previous_id=item.previous,
                file_name=item.file_name[:500],
                file_size=item.file_size,
                sha256=item.sha256,
                sm3=item.sm3,
                salt=salt_hex,
                escrowed=item.escrowed,
                commitment=commitment,
                sm3_commitment=sm3_value,
                accepted_at=now,
                source=source,
            )
        )
    with transaction.atomic():
        Deposit.objects.bulk_create(deposits)
        transaction.on_commit(_enqueue_sequencing)
    return deposits


ESCROW_NOT_HELD = Message(
    "evidence_escrow_not_held", gettext_lazy("The platform holds no salt or digests of this deposit.")
)
ESCROW_NOT_SEQUENCED = Message(
    "evidence_escrow_not_sequenced",
    gettext_lazy("This deposit is not sequenced yet: its receipt is not complete, so its salt cannot be forgotten."),
)
ESCROW_NOT_EXPORTED = Message(
    "evidence_escrow_not_exported",
    gettext_lazy(
        "Download this deposit's complete receipt first: once forgotten, the salt and digests are only in your receipt."
    ),
)


def deposit_forget_escrow(*, user: Any, deposit: Deposit) -> Deposit:
    """The platform forgets a deposit's salt and digests, at its enterprise's request.

    Only after a complete receipt (sequenced, with salt and digests) has left the platform:
    from then on only the enterprise's receipt can open the commitment. The commitment and the
    log are untouched.
    """
    ensure_in_scope(deposit, user, CHANGE)
    if not deposit.escrowed or not deposit.salt:
        raise AppError(ESCROW_NOT_HELD)
    if deposit.leaf_index is None:
        raise AppError(ESCROW_NOT_SEQUENCED)
    if deposit.receipt_exported_at is None or (
        deposit.sequenced_at is not None and deposit.receipt_exported_at < deposit.sequenced_at
    ):
        raise AppError(ESCROW_NOT_EXPORTED)
    Deposit.objects.filter(pk=deposit.pk).update(sha256="", sm3="", salt="", escrowed=False)
    deposit.refresh_from_db()
    return deposit


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _enqueue_sequencing() -> None:
    from shangmi.evidence.tasks import sequence_log_task

    try:
        sequence_log_task.enqueue()
    except Exception:  # the sequencer command or the next deposit will pick these up
        import logging

        logging.getLogger(__name__).exception("could not enqueue log sequencing")
