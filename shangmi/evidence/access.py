"""Every read of an enterprise's deposits is recorded (DESIGN: isolation, every read audited)."""

from __future__ import annotations

from typing import Any

from shangmi.evidence.models import Deposit, DepositAccess


def record_access(user: Any, deposit: Deposit | None, action: str, enterprise_id: int | None = None) -> None:
    DepositAccess.objects.create(
        user=user,
        deposit=deposit,
        enterprise_id=deposit.enterprise_id if deposit else enterprise_id,
        action=action,
    )
