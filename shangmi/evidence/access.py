"""Every read of an enterprise's private records is recorded (DESIGN: isolation, every read
audited): its deposits here, and the records of the apps above through ``record_read``. The
enterprise's admins read the one log at /evidence/access/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shangmi.evidence.models import Deposit, DepositAccess

# What each recorded read was, for the access log page; apps above add theirs (describe_reads).
READ_LABELS: dict[str, Promise | str] = {
    "list": _("listed the deposits"),
    "view": _("opened a deposit"),
    "receipt": _("downloaded a receipt"),
    "receipt_api": _("downloaded a receipt through the API"),
    "list_api": _("listed the deposits through the API"),
    "view_api": _("opened a deposit through the API"),
    "certificate": _("downloaded a certificate"),
    "export": _("exported the deposits"),
}


def describe_reads(labels: Mapping[str, Promise | str]) -> None:
    """Name the reads an app records (its actions must not reuse another's name)."""
    for action, label in labels.items():
        if READ_LABELS.get(action, label) is not label:
            raise ValueError(f"the read {action!r} is already named")
        READ_LABELS[action] = label


def read_label(action: str) -> str:
    return str(READ_LABELS.get(action, action))


def record_access(user: Any, deposit: Deposit | None, action: str, enterprise_id: int | None = None) -> None:
    enterprise = deposit.enterprise_id if deposit else enterprise_id
    if enterprise is None:
        # Every read belongs to one enterprise's audit trail; a read of no one's is a bug.
        raise ValueError("a deposit read must name its deposit or its enterprise")
    DepositAccess.objects.create(user=user, deposit=deposit, enterprise_id=enterprise, action=action)


def record_read(user: Any, *, enterprise_id: int, action: str, record: models.Model | None = None) -> None:
    """A read of an enterprise's private record of another app (``record``), or of a list or
    export of them (no record)."""
    if action not in READ_LABELS:
        raise ValueError(f"the read {action!r} is not named (describe_reads)")
    DepositAccess.objects.create(
        user=user,
        enterprise_id=enterprise_id,
        action=action,
        record_type=record._meta.label if record is not None else "",
        record_id=str(record.pk) if record is not None else "",
        record_name=str(record)[:200] if record is not None else "",
    )
