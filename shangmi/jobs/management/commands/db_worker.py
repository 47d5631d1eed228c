"""`manage.py db_worker`: django-tasks' database worker, plus a heartbeat and the stale-job reaper.

Shadows django_tasks_db's command of the same name (shangmi.jobs comes first in
INSTALLED_APPS); every option of that command works unchanged.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from shangmi.jobs.workers import Heartbeat


class Command(db_worker.Command):
    help = "Run a background job worker (django-tasks database backend) with a heartbeat and the stale-job reaper"

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(worker_id=options["worker_id"])
        # Beat before the first task is claimed, so no other worker's reaper takes this
        # worker's tasks for orphans; then reap what dead workers left running.
        heartbeat.beat_and_reap(reap=True)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
