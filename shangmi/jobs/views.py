from __future__ import annotations

from django.views.generic import DetailView, ListView

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
