from __future__ import annotations

from pathlib import Path
from typing import Any

from django.views.generic import DetailView

from shangmi.core.lists import ScopedListView
from shangmi.core.views import HtmxFragmentMixin, ScopedFileView, ScopedViewMixin
from shangmi.jobs.models import Job


class JobListView(ScopedListView):
    model = Job
    template_name = "jobs/list.html"
    paginate_by = 50


class JobDetailView(ScopedViewMixin, HtmxFragmentMixin, DetailView):
    """The progress page a person can leave and come back to; htmx polls the fragment."""

    model = Job
    template_name = "jobs/detail.html"
    fragment_template_name = "jobs/_progress.html"


class JobDownloadView(ScopedFileView):
    """The job's output file (or, if it made none, the file it was given); only its owner sees it."""

    model = Job

    def stored_file(self, row: Job) -> Any:
        return row.output_file or row.input_file

    def download_name(self, row: Job) -> str:
        return Path(self.stored_file(row).name).name
