from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.core.lists import ScopedFilterSet
from shangmi.core.scoping import restricted
from shangmi.plans.models import Plan, Task


class TaskFilter(ScopedFilterSet):
    plan = django_filters.ModelChoiceFilter(label=_("Plan"), queryset=Plan.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Task.Status.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Task
        fields = ["plan", "status", "q"]

    def narrow(self, user: Any) -> None:
        self.filters["plan"].queryset = restricted(Plan, user)

    def search(self, rows: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return rows.filter(text__icontains=value) if value.strip() else rows
