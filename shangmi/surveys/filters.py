"""The filters of the survey pages (one FilterSet per list)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.surveys.models import Survey, SurveyAssignment


class SurveyFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=Survey.Status.choices, label=_("Status"))

    class Meta:
        model = Survey
        fields = ["status"]


ANSWERED = "answered"
UNANSWERED = "unanswered"


class AssignmentFilter(ScopedFilterSet):
    """The table of a survey's assignments on its page: those not answered yet (the default,
    the ones to chase) or those answered. Any other value is the filter's error, shown on the
    page, never a silent fallback to another table."""

    show = django_filters.ChoiceFilter(
        choices=[(UNANSWERED, _("Not answered")), (ANSWERED, _("Answered"))],
        method="answered_or_not",
        label=_("Show"),
        empty_label=None,
    )

    class Meta:
        model = SurveyAssignment
        fields = ["show"]

    def __init__(self, data: Any = None, queryset: Any = None, **kwargs: Any) -> None:
        # Without ?show= the page lists those not answered yet.
        values = data.copy() if data is not None else QueryDict(mutable=True)
        if not values.get("show"):
            values["show"] = UNANSWERED
        super().__init__(values, queryset, **kwargs)

    def answered_or_not(
        self, queryset: QuerySet[SurveyAssignment], name: str, value: str
    ) -> QuerySet[SurveyAssignment]:
        return queryset.filter(answered_at__isnull=value != ANSWERED)

    @property
    def shown(self) -> str | None:
        """The table shown: ANSWERED or UNANSWERED; None when ?show= holds something else."""
        return self.form.cleaned_data.get("show") if self.is_valid() else None
