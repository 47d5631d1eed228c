"""Pages of the protection system, declared on the kit: rows come from restrict() (a stranger,
a bureau and a platform administrator get 404 whatever the method), writes from services.py,
and every read of a register goes into the enterprise's access log (access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import ADD, CHANGE, in_scope, may
from shangmi.core.views import RightRequiredMixin, ScopedObjectViewMixin, refusals_as_messages
from shangmi.core.xlsx import xlsx_response
from shangmi.protection import access, services
from shangmi.protection.exporting import secret_points_export
from shangmi.protection.filters import SecretPointFilter
from shangmi.protection.forms import DecisionForm, SecretPointForm
from shangmi.protection.models import Category, Grade, Person, SecretPoint, SecretPointEvent


def _record_list(request: HttpRequest, page: Page[Any], action: str) -> None:
    """A page of a register that shows rows is a read of them."""
    if page.object_list:
        access.record(signed_in_user(request), action)


# --- secret points ---------------------------------------------------------------------------


class SecretPointRows(FilteredRowsMixin):
    model = SecretPoint
    filterset_class = SecretPointFilter
    ordering = ("-proposed_at", "-pk")

    def base_queryset(self) -> QuerySet[SecretPoint]:
        return (
            self.get_queryset()
            .select_related("responsible")
            .prefetch_related(Prefetch("circle", queryset=Person.objects.order_by("name", "pk")))
        )


class SecretPointListView(SecretPointRows, ScopedListView):
    template_name = "protection/secret_point_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.SECRET_POINTS_LIST)
        return {
            "can_add": may(self.request.user, ADD, SecretPoint),
            "statuses": SecretPoint.Status.choices,
            "categories": Category.choices,
            "grades": Grade.choices,
        }


class SecretPointExportView(SecretPointRows, ScopedExportView):
    def export(self, rows: QuerySet[SecretPoint]) -> HttpResponseBase:
        response = xlsx_response(lambda target: secret_points_export(rows, target), "密点台账.xlsx")
        access.record(signed_in_user(self.request), access.SECRET_POINTS_EXPORT)
        return response


class SecretPointCreateView(RightRequiredMixin, TemplateView):
    model = SecretPoint
    action = ADD
    template_name = "protection/secret_point_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": SecretPointForm(user=signed_in_user(request))})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = SecretPointForm(request.POST, user=user)
        point = None
        if form.is_valid():
            point = save_through(
                form,
                lambda: services.secret_point_propose(
                    user=user, data=form.secret_point_input(), note=form.cleaned_data["note"]
                ),
                out_of_scope_field=None,
            )
        if point is None:
            return self.render_to_response({"form": form})
        messages.success(request, _("Secret point proposed; it is the enterprise's once approved and filed."))
        return HttpResponseRedirect(point.get_absolute_url())


class SecretPointDetailView(ScopedObjectViewMixin, TemplateView):
    model = SecretPoint
    template_name = "protection/secret_point_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        point = self.scoped_object_as(SecretPoint)
        access.record(user, access.SECRET_POINT_VIEW, point)
        keeper = in_scope(point, user, CHANGE)
        Step = SecretPointEvent.Kind
        context.update(
            point=point,
            circle=point.circle.order_by("name", "pk"),
            events=point.events.select_related("actor"),
            can_change=keeper and services.may_take(point, Step.CHANGED),
            steps=[
                (reverse(f"protection:secret_point_{name}", args=[point.pk]), label, step)
                for step, (name, label) in STEPS.items()
                if keeper and services.may_take(point, step)
            ],
            decision_form=DecisionForm(),
            term_ended=point.term_ended(program_today()),
        )
        return context


class SecretPointUpdateView(ScopedObjectViewMixin, TemplateView):
    """A change (变更): a filed secret point's change needs its approver and a reason."""

    model = SecretPoint
    action = CHANGE
    template_name = "protection/secret_point_form.html"

    def form(self, data: Any = None) -> SecretPointForm:
        point = self.scoped_object_as(SecretPoint)
        return SecretPointForm(
            data,
            user=signed_in_user(self.request),
            decision=True,
            initial=SecretPointForm.initial_of(point) if data is None else None,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": self.form(), "point": self.scoped_object})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        point = self.scoped_object_as(SecretPoint)
        form = self.form(request.POST)
        changed = None
        if form.is_valid():
            data = form.cleaned_data
            changed = save_through(
                form,
                lambda: services.secret_point_change(
                    user=signed_in_user(request),
                    secret_point=point,
                    data=form.secret_point_input(),
                    approver=data["approver"],
                    on=data["on"],
                    note=data["note"],
                ),
                out_of_scope_field=None,
            )
        if changed is None:
            return self.render_to_response({"form": form, "point": point})
        messages.success(request, _("Change recorded."))
        return HttpResponseRedirect(changed.get_absolute_url())


# The steps the detail page offers: (URL name's end, button).
STEPS = {
    SecretPointEvent.Kind.FILED: ("file", gettext_lazy("Approve and file")),
    SecretPointEvent.Kind.DECLASSIFIED: ("declassify", gettext_lazy("Declassify")),
    SecretPointEvent.Kind.DESTROYED: ("destroy", gettext_lazy("Destroy")),
}


TAKE: dict[str, Callable[..., SecretPoint]] = {
    SecretPointEvent.Kind.FILED: services.secret_point_file,
    SecretPointEvent.Kind.DECLASSIFIED: services.secret_point_declassify,
    SecretPointEvent.Kind.DESTROYED: services.secret_point_destroy,
}


class SecretPointStepView(ScopedObjectViewMixin, View):
    """A POST that takes one step of the secret point's life; refusals become messages."""

    model = SecretPoint
    action = CHANGE
    http_method_names = ["post"]
    step: ClassVar[str]
    done: ClassVar[Any]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        point = self.scoped_object_as(SecretPoint)
        form = DecisionForm(request.POST)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise services.AppError(services.DATE_INVALID, field="on")
            data = form.cleaned_data
            take = TAKE[self.step]
            take(user=signed_in_user(request), secret_point=point, approver=data["approver"], on=data["on"],
                 note=data["note"])  # fmt: skip
        if outcome.ok:
            messages.success(request, str(self.done))
        return redirect(point)


class SecretPointFileView(SecretPointStepView):
    step = SecretPointEvent.Kind.FILED
    done = gettext_lazy("Approved and filed.")


class SecretPointDeclassifyView(SecretPointStepView):
    step = SecretPointEvent.Kind.DECLASSIFIED
    done = gettext_lazy("Declassified.")


class SecretPointDestroyView(SecretPointStepView):
    step = SecretPointEvent.Kind.DESTROYED
    done = gettext_lazy("Recorded as destroyed.")
