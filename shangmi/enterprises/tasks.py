"""Background jobs of the registry: a large import runs here, watched on the job page."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shangmi.jobs.models import Job

logger = logging.getLogger(__name__)

JOB_KIND_IMPORT = "enterprise_import"
PROGRESS_EVERY = 1000


@task()
def enterprise_import_job(job_id: int) -> dict:
    """Run the import of ``Job(job_id).input_file`` as the user who started it.

    The page checked the file before queueing the job (core.spreadsheets.inspect) and kept
    the verdict in the job's params; here it is parsed once, in a child process whose memory
    is capped, so a file that still makes the parser run wild ends that child, not the worker."""
    from shangmi.core.spreadsheets import Inspection, SpreadsheetError, read_inspected
    from shangmi.enterprises.importing import ImportResult, RowError, enterprise_import

    job = Job.objects.select_related("created_by").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    last = {"done": -PROGRESS_EVERY}

    def progress(done: int, total: int) -> None:
        if done - last["done"] >= PROGRESS_EVERY or done == total:
            last["done"] = done
            Job.objects.filter(pk=job.pk).update(done=done, total=total)

    path = Path(job.input_file.path)
    dry_run = bool(job.params.get("dry_run"))
    try:
        kind = job.params.get("sheet_kind")
        try:
            rows = read_inspected(path, Inspection(kind, int(job.params.get("sheet_rows", 0)))) if kind else None
        except SpreadsheetError as exc:
            result = ImportResult(dry_run=dry_run, errors=[RowError(0, exc.text)])
        else:
            result = enterprise_import(
                user=job.created_by,
                path=None if rows is not None else path,
                rows=rows,
                dry_run=dry_run,
                progress=progress,
            )
    except Exception:
        logger.exception("import job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            result={"message": _("The import failed unexpectedly; nothing was imported."), "errors": []},
        )
        raise
    payload = result.as_json()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED if result.errors else Job.Status.SUCCEEDED,
        finished_at=timezone.now(),
        result=payload,
    )
    return {"created": result.created, "updated": result.updated, "errors": len(result.errors)}


__all__ = ["JOB_KIND_IMPORT", "enterprise_import_job"]
