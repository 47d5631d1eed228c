"""Excel in and out of the registry. Thin: the work is in importing.py, exporting.py, tasks.py."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files import File
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_now
from shangmi.core.lists import ScopedExportView
from shangmi.core.scoping import ADD
from shangmi.core.spreadsheets import Inspection, inspect, read_inspected, save_upload
from shangmi.core.views import RightRequiredMixin
from shangmi.core.xlsx import xlsx_response
from shangmi.enterprises.exporting import enterprises_export
from shangmi.enterprises.importing import (
    ImportFileError,
    ImportResult,
    RowError,
    enterprise_import,
    write_import_template,
)
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.tasks import JOB_KIND_IMPORT, enterprise_import_job
from shangmi.enterprises.views import EnterpriseRows
from shangmi.jobs.models import Job

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, do not import"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        limit = settings.SHANGMI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)d MB; at most %(limit)d MB can be imported at once.")
                % {"size": upload.size // (1024 * 1024) + 1, "limit": limit // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        head = upload.read(4)
        upload.seek(0)
        if suffix == ".xlsx" and head != b"PK\x03\x04":
            raise forms.ValidationError(_("The file is not an Excel .xlsx workbook."))
        return upload


class ImporterOnlyMixin(RightRequiredMixin):
    """Only those who may add enterprises import them; anyone else gets a 404."""

    model = Enterprise
    action = ADD


class EnterpriseImportView(ImporterOnlyMixin, FormView):
    template_name = "enterprises/import.html"
    form_class = ImportForm

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as tmp:
            path = save_upload(upload, Path(tmp), suffix)
            try:
                # Checked before anything parses it (a hostile file stops here, before a job
                # is queued); parsed once, in a capped child process, here or in the job.
                inspection = inspect(path)
                if inspection.rows > settings.SHANGMI_IMPORT_SYNC_ROWS:
                    return self.start_job(path, upload.name, dry_run, inspection)
                rows = read_inspected(path, inspection)
            except ImportFileError as exc:
                form.add_error("file", exc.text)
                return self.form_invalid(form)
            result = enterprise_import(user=self.request.user, rows=rows, dry_run=dry_run)
        return self.render_to_response(self.get_context_data(form=self.form_class(), result=result))

    def start_job(self, path: Path, name: str, dry_run: bool, inspection: Inspection) -> HttpResponse:
        job = Job(
            kind=JOB_KIND_IMPORT,
            title=_("Import of %(name)s") % {"name": name},
            created_by=signed_in_user(self.request),
            total=inspection.rows,
            # The verdict of the check travels with the job: the worker parses, it does not check again.
            params={
                "dry_run": dry_run,
                "file_name": name,
                "sheet_kind": inspection.kind,
                "sheet_rows": inspection.rows,
            },
        )
        with path.open("rb") as fh:
            job.input_file.save(f"{timezone.now():%Y%m%d%H%M%S}-{path.name}", File(fh), save=False)
        job.save()
        task = enterprise_import_job.enqueue(job.pk)
        # The reaper finds the job of a task whose worker died by this id (shangmi/jobs/workers.py).
        Job.objects.filter(pk=job.pk).update(task_id=str(task.id))
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        result: ImportResult | None = kwargs.get("result")
        context["result"] = result
        context["sync_rows"] = settings.SHANGMI_IMPORT_SYNC_ROWS
        return context


class EnterpriseImportTemplateView(ImporterOnlyMixin, View):
    def get(self, request: Any) -> HttpResponseBase:
        return xlsx_response(write_import_template, "企业导入模板.xlsx")


class EnterpriseExportView(EnterpriseRows, ScopedExportView):
    """The list page's filter (same query string) over what the user may see, as .xlsx."""

    def export(self, rows: QuerySet[Enterprise]) -> HttpResponseBase:
        return xlsx_response(
            lambda target: enterprises_export(queryset=rows, target=target),
            f"enterprises-{program_now():%Y%m%d-%H%M}.xlsx",
            stream=True,
        )


__all__ = [
    "EnterpriseExportView",
    "EnterpriseImportTemplateView",
    "EnterpriseImportView",
    "ImportForm",
    "RowError",
]
