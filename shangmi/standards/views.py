"""Pages of the evaluation standards: the list, one version in full, and the calculator.

Standards are published documents (``Scope(public_view=True)``), so every signed-in user
reads them; the views still read through ``restrict`` like every other page. The
calculator scores with ``scoring.score``, the function the applications use.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from shangmi.core.views import HtmxFragmentMixin, ScopedViewMixin
from shangmi.standards.models import Standard
from shangmi.standards.scoring import ScoreResult, StandardSpec, score, spec_of
from shangmi.standards.selectors import newest_first


class StandardListView(ScopedViewMixin, TemplateView):
    model = Standard
    template_name = "standards/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Newest version first, as people count versions ("1.10" after "1.9", unlike SQL).
        context["standards"] = newest_first(self.get_queryset().annotate(item_count=Count("items")))
        return context


class StandardDetailView(ScopedViewMixin, DetailView):
    model = Standard
    template_name = "standards/detail.html"
    context_object_name = "standard"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        standard = self.object
        siblings = self.get_queryset().filter(code=standard.code).exclude(pk=standard.pk)
        context.update(
            spec=spec_of(standard),
            other_versions=newest_first(siblings),
        )
        return context


class StandardCalculatorView(ScopedViewMixin, HtmxFragmentMixin, DetailView):
    """ "What would we score": tick items, see the total. Works as a plain form (GET or
    POST answers the full page) and with htmx (a change posts the form and the answer is
    only the result fragment)."""

    model = Standard
    template_name = "standards/calculator.html"
    fragment_template_name = "standards/_calculator_result.html"
    context_object_name = "standard"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._answer(request.GET.getlist("met"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Nothing is written: POST is only the form's way of sending the ticked items.
        return self._answer(request.POST.getlist("met"))

    def _answer(self, met: list[str]) -> HttpResponse:
        self.object = self.get_object()
        spec = spec_of(self.object)
        result, error = calculate(spec, met)
        context = self.get_context_data(object=self.object, spec=spec, met=set(met), result=result, error=error)
        return self.render_to_response(context)


def calculate(spec: StandardSpec, met: list[str]) -> tuple[ScoreResult | None, str]:
    """The result, or an error naming the codes that are not items of this standard
    (only a hand-made request can send them)."""
    unknown = sorted(set(met) - spec.item_codes)
    if unknown:
        return None, _("These codes are not items of this standard: %(codes)s") % {"codes": ", ".join(unknown)}
    return score(spec, met), ""
