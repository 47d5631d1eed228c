"""The reviewer's queue and the round's spreadsheets. Thin: the rows come from queues.py
(through restrict), the sheets from exporting.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from shangmi.accounts.models import User
from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_now, program_today
from shangmi.core.lists import ScopedListView
from shangmi.core.roles import Role
from shangmi.core.scoping import is_platform_admin
from shangmi.core.views import ScopedViewMixin
from shangmi.core.xlsx import xlsx_response
from shangmi.creation.models import Application, DemoType, Level, Round, Stage
from shangmi.creation.review.exporting import candidate_list_export, round_export
from shangmi.creation.review.queues import due_state, queue_rounds, review_queue, self_assessment_totals
from shangmi.regions.models import Region


def _has_queue(user: User) -> bool:
    return user.role == Role.REGULATOR and user.region_id is not None


def _is_reviewer(user: Any) -> bool:
    return is_platform_admin(user) or user.role == Role.REGULATOR


class QueueFilterForm(forms.Form):
    """Only renders the GET form: review_queue() reads the same keys and ignores bad values."""

    q = forms.CharField(label=_("Applicant"), required=False)
    round = forms.ChoiceField(label=_("Round"), required=False)
    demo_type = forms.ChoiceField(
        label=_("Demonstration type"), required=False, choices=[("", _("Type: any")), *DemoType.choices]
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Level: any")), *Level.choices])
    kind = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Stage: any")), *Stage.Kind.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, rounds: QuerySet[Round], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        round_field = self.fields["round"]
        if isinstance(round_field, forms.ChoiceField):  # declared above as one
            round_field.choices = [("", _("Round: any")), *((str(r.pk), r.title) for r in rounds)]
        for name, field in self.fields.items():
            if name == "overdue":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs.update({"class": "form-select", "aria-label": field.label})
            else:
                field.widget.attrs.update({"class": "form-control", "placeholder": _("Applicant name")})


class QueueView(ScopedListView):
    model = Application
    template_name = "creation/queue.html"
    fragment_template_name = "creation/queue_table.html"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Stage]:
        return review_queue(signed_in_user(self.request), self.request.GET)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        stages = list(context["object_list"])
        # Totals for the shown page only: one query for its entries, not one per row.
        totals = self_assessment_totals([stage.application for stage in stages])
        today = program_today()
        for stage in stages:
            stage.self_total = totals[stage.application_id]
            stage.due_state = due_state(stage.due_on, today)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            stages=stages,
            filter_form=QueueFilterForm(self.request.GET or None, rounds=queue_rounds(signed_in_user(self.request))),
            query=query.urlencode(),
            # Only a regulator bound to a region has a queue; anyone else is told so, not shown a 404.
            has_queue=_has_queue(signed_in_user(self.request)),
        )
        return context


class RoundExportView(ScopedViewMixin, View):
    """The round's applications within the user's scope, with their scores, as .xlsx.

    A round is a public call, so anyone signed in reaches it; what they get is restrict()'s
    answer: a regulator the applications of their region, an applicant its own row, and
    the reviewers' scores only for reviewers.
    """

    model = Round

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        round_ = get_object_or_404(self.get_queryset(), pk=pk)
        applications = Application.objects.restrict(signed_in_user(request))
        return xlsx_response(
            lambda target: round_export(
                round_=round_, queryset=applications, target=target, with_reviews=_is_reviewer(signed_in_user(request))
            ),
            f"{round_.year}-{round_.pk}-申报汇总-{program_now():%Y%m%d}.xlsx",
            stream=True,
        )


class CandidateListView(ScopedViewMixin, View):
    """The cultivation list (培育名单) of the user's region, or of ``?region=CODE`` below it."""

    model = Round

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        round_ = get_object_or_404(self.get_queryset(), pk=pk)
        region = self.list_region(request, round_)
        applications = Application.objects.restrict(signed_in_user(request))
        return xlsx_response(
            lambda target: candidate_list_export(round_=round_, region=region, queryset=applications, target=target),
            f"{region.full_name}{round_.year}年培育名单.xlsx",
            stream=True,
        )

    @staticmethod
    def list_region(request: HttpRequest, round_: Round) -> Region:
        user = signed_in_user(request)
        # Someone bound to a park or an enterprise has no region of their own: their list is
        # the round's, and restrict() still limits it to their own rows.
        home = user.region or round_.region
        if home is None:
            raise Http404
        code = (request.GET.get("region") or "").strip()
        if not code:
            return home
        region = Region.objects.filter(code=code).first()
        if region is None or not region.is_within(home):
            raise Http404
        return region


__all__ = ["CandidateListView", "QueueFilterForm", "QueueView", "RoundExportView"]
