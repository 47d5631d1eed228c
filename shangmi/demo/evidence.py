"""Demo deposits: a formula document in two versions and a drawing, already in the log."""

from __future__ import annotations

import hashlib

from shangmi.accounts.models import User
from shangmi.evidence.leaf import sm3
from shangmi.evidence.log import log_sequence_all
from shangmi.evidence.models import Deposit
from shangmi.evidence.services import DepositInput, deposits_create

# Stand-ins for the enterprise's documents: only their digests are ever deposited.
DOCUMENTS = [
    ("制动卡钳摩擦材料配方", "摩擦材料配方", "卡钳二期", "初版", "配方-v1.docx", "配方初版：树脂 18%，钢纤维 22%"),
    (
        "制动卡钳摩擦材料配方",
        "摩擦材料配方",
        "卡钳二期",
        "调整钢纤维比例",
        "配方-v2.docx",
        "配方第二版：树脂 18%，钢纤维 25%",
    ),
    ("卡钳壳体模具图纸", "模具结构", "卡钳二期", "", "壳体模具.dwg", "模具图纸 A-2031"),
]


def _input(title: str, point: str, project: str, note: str, name: str, text: str, previous: str | None) -> DepositInput:
    content = text.encode()
    return DepositInput(
        title=title,
        sha256=hashlib.sha256(content).hexdigest(),
        sm3=sm3(content).hexdigest(),
        file_name=name,
        file_size=len(content),
        secret_point=point,
        project=project,
        version_note=note,
        previous=previous,
    )


def demo_deposits_load(username: str = "enterprise_admin") -> int:
    user = User.objects.get(username=username)
    if Deposit.objects.filter(enterprise_id=user.enterprise_id).exists():
        return 0
    previous = None
    for index, document in enumerate(DOCUMENTS):
        (deposit,) = deposits_create(user=user, items=[_input(*document, previous if index == 1 else None)])
        previous = str(deposit.pk)
    log_sequence_all()
    return len(DOCUMENTS)
