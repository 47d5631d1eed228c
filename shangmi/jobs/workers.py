"""Job workers' liveness: the heartbeat they write and the reaper of jobs whose worker died.

A worker killed outright (SIGKILL, a power cut, the OOM killer) cannot mark its task as
failed; its task result stays "running" for ever and the person who started the import
watches a progress bar that never moves. Every worker therefore writes a heartbeat row
every few seconds, and every worker, at start and then periodically, fails the running
tasks (and their jobs) whose worker has not been seen for longer than the stale limit.
The work itself needs no undoing: an import writes all its rows in one transaction, which
the database rolls back when the connection of the dead process goes away.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django_tasks_db.models import DBTaskResult

from shangmi.jobs.models import Job, WorkerHeartbeat

logger = logging.getLogger(__name__)

# Stored in Job.result in the platform's language, as the import job stores its own messages.
WORKER_LOST = gettext_noop(
    "The job worker running this job stopped before it finished; nothing of it was kept. Start it again."
)
RUNNING = "RUNNING"
FINISHED = ("SUCCESSFUL", "FAILED")


def heartbeat_seconds() -> float:
    return float(settings.SHANGMI_WORKER_HEARTBEAT_SECONDS)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SHANGMI_WORKER_STALE_SECONDS)


def heartbeat_beat(*, worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at, "seen_at": now},
    )


def live_worker_count() -> int:
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - stale_after()).count()


def stale_jobs_reap() -> int:
    """Fail the running tasks of workers not seen within the stale limit, and their jobs.

    Returns how many tasks were failed. Safe to run from several workers at once: each
    update only touches rows still in the state it read.
    """
    now = timezone.now()
    live = set(WorkerHeartbeat.objects.filter(seen_at__gte=now - stale_after()).values_list("worker_id", flat=True))
    reaped: list[str] = []
    for pk, worker_ids in DBTaskResult.objects.filter(status=RUNNING).values_list("pk", "worker_ids"):
        owner = worker_ids[-1] if worker_ids else None
        if owner in live:
            continue
        with transaction.atomic():
            changed = DBTaskResult.objects.filter(pk=pk, status=RUNNING, worker_ids=worker_ids).update(
                status="FAILED",
                finished_at=now,
                exception_class_path="shangmi.jobs.workers.WorkerLost",
                traceback=f"worker {owner} stopped (no heartbeat since {now - stale_after():%Y-%m-%dT%H:%M:%SZ})",
            )
        if changed:
            reaped.append(str(pk))
            logger.warning("reaped task %s of lost worker %s", pk, owner)
    # A job whose task is over (reaped now, or failed before it could say so) is over too.
    unfinished = [Job.Status.QUEUED, Job.Status.RUNNING]
    waiting = dict(Job.objects.filter(status__in=unfinished).exclude(task_id="").values_list("task_id", "pk"))
    if waiting:
        over = DBTaskResult.objects.filter(pk__in=list(waiting), status__in=FINISHED).values_list("pk", flat=True)
        for task_pk in over:
            job_pk = waiting[str(task_pk)]
            with translation.override(settings.LANGUAGE_CODE):
                message = gettext(WORKER_LOST)
            Job.objects.filter(pk=job_pk, status__in=unfinished).update(
                status=Job.Status.FAILED, finished_at=now, result={"message": message, "errors": []}
            )
            logger.warning("job %s failed: its task %s is over", job_pk, task_pk)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - stale_after()).delete()
    return len(reaped)


class Heartbeat(threading.Thread):
    """Beats every ``heartbeat_seconds()`` and reaps every ``reap_every`` beats, beside the
    worker's own loop, so a long task does not make its worker look dead."""

    def __init__(self, *, worker_id: str, reap_every: int = 6) -> None:
        super().__init__(name="shangmi-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.reap_every = reap_every
        self.stopping = threading.Event()

    def beat_and_reap(self, *, reap: bool) -> None:
        close_old_connections()
        heartbeat_beat(worker_id=self.worker_id, started_at=self.started_at)
        if reap:
            stale_jobs_reap()

    def run(self) -> None:
        beats = 0
        while not self.stopping.wait(heartbeat_seconds()):
            beats += 1
            try:
                self.beat_and_reap(reap=beats % self.reap_every == 0)
            except Exception:
                # A busy or briefly unreachable database must not kill the worker; the
                # next beat tries again, and /health/ says so if it keeps failing.
                logger.exception("heartbeat of worker %s failed", self.worker_id)
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        # Let a beat in flight finish first, or it would write the row back after the delete.
        if self.is_alive():
            self.join(timeout=60)
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
