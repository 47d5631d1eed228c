"""A job worker killed (SIGKILL) in the middle of an import: nothing half-imported, and the job
turns failed once another worker starts; never "running" for ever."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from benchmarks.xlsx import write_import_file
from shangmi.core.roles import Role
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.tasks import JOB_KIND_IMPORT, enterprise_import_job
from shangmi.jobs.models import Job, WorkerHeartbeat
from shangmi.jobs.workers import stale_jobs_reap
from tests.conftest import make_user
from tests.jobs.shared_db import SharedDatabase

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000


def start_worker(db: SharedDatabase, media: Path, worker_id: str, **env: str) -> subprocess.Popen[bytes]:
    full = {
        **os.environ,
        "DATABASE_URL": db.url,
        "SHANGMI_MEDIA_ROOT": str(media),
        "SHANGMI_WORKER_HEARTBEAT_SECONDS": "1",
        **env,
    }
    cmd = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval=0.2"]
    return subprocess.Popen([*cmd, f"--worker-id={worker_id}"], cwd=ROOT, env=full)


def wait_for(check, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_nothing_half_imported_and_its_job_fails(tmp_path, tmp_media):
    regulator = make_user("reg_cq", Role.REGULATOR, region_id="500000")
    path = tmp_path / "import.xlsx"
    write_import_file(path, rows=ROWS, province="500000")
    job = Job(kind=JOB_KIND_IMPORT, title="import", created_by=regulator, total=ROWS, params={"dry_run": False})
    with path.open("rb") as fh:
        job.input_file.save("import.xlsx", File(fh))
    job.task_id = str(enterprise_import_job.enqueue(job.pk).id)
    job.save()
    before = Enterprise.objects.count()
    db = SharedDatabase(tmp_path)
    db.export()

    victim = start_worker(db, tmp_media, "victim")
    try:
        # Mid-import: the worker has claimed the job and reported progress, not finished it.
        wait_for(lambda: db.query("SELECT status, done FROM jobs_job WHERE id = %s", [job.pk])[0][1] > 0, "progress")
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
    finally:
        victim.kill()
    [(status,)] = db.query("SELECT status FROM jobs_job WHERE id = %s", [job.pk])
    assert status == Job.Status.RUNNING  # what the reaper is for: nobody else would change it
    assert db.query("SELECT COUNT(*) FROM enterprises_enterprise")[0][0] == before

    # The victim beat every second; once it is 2 s silent, a starting worker reaps its job.
    time.sleep(2.5)
    rescuer = start_worker(db, tmp_media, "rescuer", SHANGMI_WORKER_STALE_SECONDS="2")
    try:
        wait_for(lambda: db.query("SELECT status FROM jobs_job WHERE id = %s", [job.pk])[0][0] == "failed", "reaping")
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(30)
    db.reimport()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.finished_at is not None
    assert job.result["message"] == "执行此任务的后台进程在任务完成前停止，本次任务未保留任何结果。请重新发起。"
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (task.status, task.worker_ids) == ("FAILED", ["victim"])
    assert Enterprise.objects.count() == before
    assert Enterprise.history.count() == 0
    # The victim's heartbeat is stale and a reaper removes it (on a loaded machine the rescuer's
    # pass may run before the victim's last beat is old enough: the next pass takes it).
    stale_jobs_reap()
    assert not WorkerHeartbeat.objects.filter(worker_id="victim").exists()


@pytest.mark.django_db
def test_the_reaper_leaves_the_tasks_of_live_workers_alone(settings):
    settings.SHANGMI_WORKER_STALE_SECONDS = 60
    now = timezone.now()
    owner = make_user("reg_cq", Role.REGULATOR, region_id="500000")
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1, started_at=now, seen_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="dead", hostname="h", pid=2, started_at=now, seen_at=now - datetime.timedelta(minutes=5)
    )
    jobs = {}
    for worker in ("alive", "dead", "never-beat"):
        task = enterprise_import_job.enqueue(0)
        DBTaskResult.objects.filter(pk=task.id).update(status="RUNNING", worker_ids=[worker], started_at=now)
        jobs[worker] = Job.objects.create(
            kind=JOB_KIND_IMPORT, title=worker, created_by=owner, status=Job.Status.RUNNING, task_id=str(task.id)
        )

    assert stale_jobs_reap() == 2
    status = {w: Job.objects.get(pk=j.pk).status for w, j in jobs.items()}
    assert status == {"alive": "running", "dead": "failed", "never-beat": "failed"}
    assert DBTaskResult.objects.get(pk=jobs["alive"].task_id).status == "RUNNING"
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"alive"}
