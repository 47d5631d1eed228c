from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import FileResponse, Http404
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from shangmi.core.views import HtmxFragmentMixin, ScopedViewMixin
from shangmi.jobs.models import Job


class JobListView(ScopedViewMixin, ListView):
    model = Job
    template_name = "jobs/list.html"
    paginate_by = 50


class JobDetailView(ScopedViewMixin, HtmxFragmentMixin, DetailView):
    """The progress page a person can leave and come back to; htmx polls the fragment."""

    model = Job
    template_name = "jobs/detail.html"
    fragment_template_name = "jobs/_progress.html"


class JobDownloadView(ScopedViewMixin, SingleObjectMixin, View):
    """The job's output file (or, if it made none, the file it was given); only its owner sees it."""

    model = Job

    def get(self, request: Any, *args: Any, **kwargs: Any) -> FileResponse:
        job = self.get_object()
        stored = job.output_file or job.input_file
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, as_attachment=True, filename=Path(stored.name).name)
