"""Background sequencing: each deposit asks for a run; a run sequences everything pending."""

from __future__ import annotations

from django_tasks import task


@task()
def sequence_log_task() -> int:
    from shangmi.evidence.log import checkpoints_timestamp_missing, log_sequence_all

    checkpoints = log_sequence_all()
    checkpoints_timestamp_missing()
    return len(checkpoints)
