"""Every read of an enterprise's deposits is recorded (DESIGN: isolation, every read audited)."""

from __future__ import annotations

from typing import Any

from shangmi.evidence.models import Deposit, DepositAccess


def record_access(user: Any, deposit: Deposit | None, action: str, enterprise_id: int | None = None) -> None:
    enterprise = deposit.enterprise_id if deposit else enterprise_id
    if enterprise is None:
        # Every read belongs to one enterprise's audit trail; a read of no one's is a bug.
        raise ValueError("a deposit read must name its deposit or its enterprise")
    DepositAccess.objects.create(user=user, deposit=deposit, enterprise_id=enterprise, action=action)
