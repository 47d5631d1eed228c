"""Pages of the protection system, declared on the kit: rows come from restrict() (a stranger,
a bureau and a platform administrator get 404 whatever the method), writes from services.py,
and every read of a register goes into the enterprise's access log (access.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_today
from shangmi.core.forms import save_through
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView
from shangmi.core.scoping import ADD, CHANGE, in_scope, may, restricted
from shangmi.core.views import RightRequiredMixin, ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.core.xlsx import xlsx_response
from shangmi.enterprises.models import Enterprise
from shangmi.evidence.receipts import receipt_for
from shangmi.evidence.services import DepositInput
from shangmi.protection import access, services
from shangmi.protection.dossier import dossier_of, dossier_pdf, receipts_zip, versions_of
from shangmi.protection.exporting import (
    agreements_export,
    areas_export,
    carriers_export,
    departure_export,
    engagements_export,
    people_export,
    secret_points_export,
)
from shangmi.protection.figures import figures_for, region_figures
from shangmi.protection.filters import (
    AgreementFilter,
    AreaFilter,
    CarrierFilter,
    EngagementFilter,
    PersonFilter,
    SecretPointFilter,
)
from shangmi.protection.forms import (
    AgreementForm,
    AreaForm,
    CarrierForm,
    CarrierLogForm,
    DecisionForm,
    DepartureForm,
    DisclosureForm,
    EngagementEndForm,
    EngagementForm,
    PersonForm,
    SecretPointForm,
    VisitForm,
)
from shangmi.protection.models import (
    Agreement,
    Area,
    Carrier,
    Category,
    Disclosure,
    Engagement,
    Grade,
    Person,
    SecretPoint,
    SecretPointDeposit,
    SecretPointEvent,
)
from shangmi.protection.selectors import carrier_state, count_secret_points, handover, with_copies


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
            keeper=keeper,
            deposits=point.deposits.count() if keeper else 0,
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


# --- people (涉密人员) ---------------------------------------------------------------------------


class PersonRows(FilteredRowsMixin):
    model = Person
    filterset_class = PersonFilter
    ordering = ("name", "pk")

    def base_queryset(self) -> QuerySet[Person]:
        # How many live secret points each person knows, in one query with the rows.
        return count_secret_points(self.get_queryset())


class PersonListView(PersonRows, ScopedListView):
    template_name = "protection/person_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.PEOPLE_LIST)
        return {
            "can_add": may(self.request.user, ADD, Person),
            "grades": Grade.choices,
            "categories": Person.PostCategory.choices,
        }


class PersonExportView(PersonRows, ScopedExportView):
    def export(self, rows: QuerySet[Person]) -> HttpResponseBase:
        response = xlsx_response(lambda target: people_export(rows, target), "涉密人员台账.xlsx")
        access.record(signed_in_user(self.request), access.PEOPLE_EXPORT)
        return response


class PersonDetailView(ScopedObjectViewMixin, TemplateView):
    model = Person
    template_name = "protection/person_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        person = self.scoped_object_as(Person)
        access.record(user, access.PERSON_VIEW, person)
        context.update(
            person=person,
            # Only the secret points the reader may read themselves.
            secret_points=restricted(SecretPoint, user).filter(circle=person).order_by("name", "pk"),
            agreements=restricted(Agreement, user).filter(person=person).order_by("-starts_on", "-pk"),
            can_change=in_scope(person, user, CHANGE),
            departure_url=reverse("protection:person_departure", args=[person.pk]),
            today=program_today(),
        )
        return context


class PersonFormView(TemplateView):
    template_name = "protection/person_form.html"
    request: HttpRequest

    def existing(self) -> Person | None:
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = self.existing()
        initial = PersonForm.initial_of(person) if person else None
        form = PersonForm(user=signed_in_user(request), person=person, initial=initial)
        return self.render_to_response({"form": form, "person": person})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        person = self.existing()
        form = PersonForm(request.POST, user=user, person=person)
        saved = None
        if form.is_valid():
            if person is None:
                saved = save_through(form, lambda: services.person_create(user=user, data=form.person_input()),
                                     out_of_scope_field=None)  # fmt: skip
            else:
                saved = save_through(
                    form,
                    lambda: services.person_update(user=user, person=person, data=form.person_input()),
                    out_of_scope_field=None,
                )
        if saved is None:
            return self.render_to_response({"form": form, "person": person})
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class PersonCreateView(RightRequiredMixin, PersonFormView):
    model = Person
    action = ADD


class PersonUpdateView(ScopedObjectViewMixin, PersonFormView):
    model = Person
    action = CHANGE

    def existing(self) -> Person | None:
        return self.scoped_object_as(Person)


# --- agreements ------------------------------------------------------------------------------------


class AgreementRows(FilteredRowsMixin):
    model = Agreement
    filterset_class = AgreementFilter
    ordering = ("-starts_on", "-pk")

    def base_queryset(self) -> QuerySet[Agreement]:
        return self.get_queryset().select_related("person")


class AgreementListView(AgreementRows, ScopedListView):
    template_name = "protection/agreement_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.AGREEMENTS_LIST)
        return {"can_add": may(self.request.user, ADD, Agreement), "kinds": Agreement.Kind.choices,
                "today": program_today()}  # fmt: skip


class AgreementExportView(AgreementRows, ScopedExportView):
    def export(self, rows: QuerySet[Agreement]) -> HttpResponseBase:
        response = xlsx_response(lambda target: agreements_export(rows, target), "保密与竞业限制协议台账.xlsx")
        access.record(signed_in_user(self.request), access.AGREEMENTS_EXPORT)
        return response


class AgreementDetailView(ScopedObjectViewMixin, TemplateView):
    model = Agreement
    template_name = "protection/agreement_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        agreement = self.scoped_object_as(Agreement)
        access.record(user, access.AGREEMENT_VIEW, agreement)
        context.update(
            agreement=agreement,
            can_change=in_scope(agreement, user, CHANGE),
            in_force=agreement.in_force_on(program_today()),
        )
        return context


class AgreementFormView(TemplateView):
    template_name = "protection/agreement_form.html"
    request: HttpRequest

    def existing(self) -> Agreement | None:
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreement = self.existing()
        initial = AgreementForm.initial_of(agreement) if agreement else {"person": request.GET.get("person")}
        form = AgreementForm(user=signed_in_user(request), initial=initial)
        return self.render_to_response({"form": form, "agreement": agreement})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        agreement = self.existing()
        form = AgreementForm(request.POST, user=user)
        saved = None
        if form.is_valid():
            if agreement is None:
                saved = save_through(form, lambda: services.agreement_record(user=user, data=form.agreement_input()),
                                     out_of_scope_field=None)  # fmt: skip
            else:
                saved = save_through(
                    form,
                    lambda: services.agreement_update(user=user, agreement=agreement, data=form.agreement_input()),
                    out_of_scope_field=None,
                )
        if saved is None:
            return self.render_to_response({"form": form, "agreement": agreement})
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class AgreementCreateView(RightRequiredMixin, AgreementFormView):
    model = Agreement
    action = ADD


class AgreementUpdateView(ScopedObjectViewMixin, AgreementFormView):
    model = Agreement
    action = CHANGE

    def existing(self) -> Agreement | None:
        return self.scoped_object_as(Agreement)


# --- carriers (载体) ---------------------------------------------------------------------------------


class CarrierRows(FilteredRowsMixin):
    model = Carrier
    filterset_class = CarrierFilter
    ordering = ("-registered_at", "-pk")

    def base_queryset(self) -> QuerySet[Carrier]:
        user = self.request.user
        # A carrier names only the secret points the reader may read.
        points = restricted(SecretPoint, user).order_by("name", "pk")
        return with_copies(
            self.get_queryset().select_related("custodian").prefetch_related(Prefetch("secret_points", points))
        )


class CarrierListView(CarrierRows, ScopedListView):
    template_name = "protection/carrier_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.CARRIERS_LIST)
        return {
            "can_add": may(self.request.user, ADD, Carrier),
            "forms": Carrier.Form.choices,
            "grades": Grade.choices,
        }


class CarrierExportView(CarrierRows, ScopedExportView):
    def export(self, rows: QuerySet[Carrier]) -> HttpResponseBase:
        response = xlsx_response(lambda target: carriers_export(rows, target), "涉密载体台账.xlsx")
        access.record(signed_in_user(self.request), access.CARRIERS_EXPORT)
        return response


class CarrierDetailView(ScopedObjectViewMixin, TemplateView):
    model = Carrier
    template_name = "protection/carrier_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        carrier = self.scoped_object_as(Carrier)
        access.record(user, access.CARRIER_VIEW, carrier)
        state = carrier_state(carrier)
        holders = Person.objects.in_bulk(list(state.holders))
        keeper = in_scope(carrier, user, CHANGE)
        context.update(
            carrier=carrier,
            state=state,
            holders=[(holders[pk], copies) for pk, copies in state.holders.items() if pk in holders],
            secret_points=restricted(SecretPoint, user).filter(carriers=carrier).order_by("name", "pk"),
            events=carrier.events.select_related("person", "actor"),
            can_change=keeper,
            log_form=CarrierLogForm(user=user) if keeper and not state.destroyed else None,
        )
        return context


class CarrierFormView(TemplateView):
    template_name = "protection/carrier_form.html"
    request: HttpRequest

    def existing(self) -> Carrier | None:
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        carrier = self.existing()
        initial = CarrierForm.initial_of(carrier) if carrier else None
        form = CarrierForm(user=signed_in_user(request), carrier=carrier, initial=initial)
        return self.render_to_response({"form": form, "carrier": carrier})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        carrier = self.existing()
        form = CarrierForm(request.POST, user=user, carrier=carrier)
        saved = None
        if form.is_valid():
            if carrier is None:
                saved = save_through(form, lambda: services.carrier_register(user=user, data=form.carrier_input()),
                                     out_of_scope_field=None)  # fmt: skip
            else:
                saved = save_through(
                    form,
                    lambda: services.carrier_update(user=user, carrier=carrier, data=form.carrier_input()),
                    out_of_scope_field=None,
                )
        if saved is None:
            return self.render_to_response({"form": form, "carrier": carrier})
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class CarrierCreateView(RightRequiredMixin, CarrierFormView):
    model = Carrier
    action = ADD


class CarrierUpdateView(ScopedObjectViewMixin, CarrierFormView):
    model = Carrier
    action = CHANGE

    def existing(self) -> Carrier | None:
        return self.scoped_object_as(Carrier)


class CarrierLogView(ScopedObjectViewMixin, View):
    """A line of the carrier's log (borrow, return, copy, destroy); refusals become messages."""

    model = Carrier
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        carrier = self.scoped_object_as(Carrier)
        user = signed_in_user(request)
        form = CarrierLogForm(request.POST, user=user)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                field, errors = next(iter(form.errors.items()))
                raise services.AppError(services.LOG_FORM, field=field, error=" ".join(str(error) for error in errors))
            services.carrier_log(user=user, carrier=carrier, data=form.log_input())
        if outcome.ok:
            messages.success(request, _("Recorded in the carrier's log."))
        return redirect(carrier)


# --- departures (离职) ------------------------------------------------------------------------------


class PersonDepartureView(ScopedObjectViewMixin, TemplateView):
    """The handover list of a person who leaves, derived from the records: the secret points in
    whose circle they are, the carriers in their custody and those they hold per the log, and
    the agreements whose duties continue. The enterprise's admins keep it (CHANGE)."""

    model = Person
    action = CHANGE
    template_name = "protection/departure.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        person = self.scoped_object_as(Person)
        access.record(user, access.DEPARTURE_VIEW, person)
        today = program_today()
        context.update(handover=handover(user, person, person.left_on or today), person=person, today=today)
        return context


class PersonDepartureExportView(ScopedObjectViewMixin, View):
    model = Person
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = signed_in_user(request)
        person = self.scoped_object_as(Person)
        listed = handover(user, person, person.left_on or program_today())
        response = xlsx_response(lambda target: departure_export(listed, target), f"离职交接清单-{person.name}.xlsx")
        access.record(user, access.DEPARTURE_EXPORT, person)
        return response


class PersonDepartView(ScopedObjectViewMixin, View):
    """Record the day the person left; refusals become messages."""

    model = Person
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.scoped_object_as(Person)
        form = DepartureForm(request.POST)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise services.AppError(services.DATE_INVALID, field="left_on")
            services.person_depart(user=signed_in_user(request), person=person, left_on=form.cleaned_data["left_on"])
        if outcome.ok:
            messages.success(request, _("Departure recorded."))
        return redirect("protection:person_departure", pk=person.pk)


# --- deposited versions and the reasonable-measures dossier ----------------------------------------


class SecretPointDepositView(ScopedObjectViewMixin, TemplateView):
    """The next version of the secret point's document, hashed in the browser as every deposit
    is (static/shangmi/evidence.js): only digests or salted commitments arrive, as JSON, and the
    answer is the receipt. The enterprise's admins keep it (CHANGE)."""

    model = SecretPoint
    action = CHANGE
    template_name = "protection/secret_point_deposit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        point = self.scoped_object_as(SecretPoint)
        access.record(user, access.VERSION_DEPOSIT, point)
        versions = SecretPointDeposit.objects.filter(secret_point=point).select_related("deposit").order_by("version")
        context.update(point=point, versions=versions, last=versions.last())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        point = self.scoped_object_as(SecretPoint)
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = None
        items = body.get("deposits") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            return JsonResponse({"errors": [services.DEPOSIT_ONE_FILE.render()]}, status=400)
        try:
            link = services.secret_point_deposit(
                user=signed_in_user(request), secret_point=point, item=DepositInput.from_mapping(items[0])
            )
        except services.AppError as error:
            # The page's script shows the reasons (JSON, as the deposit API answers it).
            return JsonResponse({"errors": [error.text]}, status=400)
        return JsonResponse({"receipts": [receipt_for(link.deposit)]}, status=201)


class SecretPointDossierView(ScopedObjectViewMixin, View):
    """The reasonable-measures dossier as a PDF, from the records of the day."""

    model = SecretPoint
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = signed_in_user(request)
        point = self.scoped_object_as(SecretPoint)
        body = dossier_pdf(dossier_of(user, point))
        access.record(user, access.DOSSIER_PDF, point)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, f"合理保密措施证据包-{point.name}.pdf")
        return response


class SecretPointReceiptsView(ScopedObjectViewMixin, View):
    """The receipts of every deposited version, for the offline verifier, as a zip."""

    model = SecretPoint
    action = CHANGE

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        user = signed_in_user(request)
        point = self.scoped_object_as(SecretPoint)
        body = receipts_zip(point, versions_of(user, point))
        access.record(user, access.DOSSIER_RECEIPTS, point)
        response = HttpResponse(body, content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(True, f"存证回执-{point.name}.zip")
        return response


# --- outsourcing and business activities (委外、商务活动) ---------------------------------------------


class EngagementRows(FilteredRowsMixin):
    model = Engagement
    filterset_class = EngagementFilter
    ordering = ("-starts_on", "-pk")

    def base_queryset(self) -> QuerySet[Engagement]:
        disclosures = Disclosure.objects.select_related("secret_point").order_by("on", "pk")
        return self.get_queryset().prefetch_related(Prefetch("disclosures", disclosures))


class EngagementListView(EngagementRows, ScopedListView):
    template_name = "protection/engagement_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.ENGAGEMENTS_LIST)
        return {"can_add": may(self.request.user, ADD, Engagement), "kinds": Engagement.Kind.choices}


class EngagementExportView(EngagementRows, ScopedExportView):
    def export(self, rows: QuerySet[Engagement]) -> HttpResponseBase:
        response = xlsx_response(lambda target: engagements_export(rows, target), "委外与商务活动台账.xlsx")
        access.record(signed_in_user(self.request), access.ENGAGEMENTS_EXPORT)
        return response


class EngagementDetailView(ScopedObjectViewMixin, TemplateView):
    model = Engagement
    template_name = "protection/engagement_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        engagement = self.scoped_object_as(Engagement)
        access.record(user, access.ENGAGEMENT_VIEW, engagement)
        open_ = engagement.ended_on is None and in_scope(engagement, user, CHANGE)
        context.update(
            engagement=engagement,
            disclosures=engagement.disclosures.select_related("secret_point", "actor"),
            can_change=open_,
            disclosure_form=DisclosureForm(user=user) if open_ else None,
            end_form=EngagementEndForm() if open_ else None,
        )
        return context


class EngagementFormView(TemplateView):
    template_name = "protection/engagement_form.html"
    request: HttpRequest

    def existing(self) -> Engagement | None:
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagement = self.existing()
        form = EngagementForm(initial=EngagementForm.initial_of(engagement) if engagement else None)
        return self.render_to_response({"form": form, "engagement": engagement})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        engagement = self.existing()
        form = EngagementForm(request.POST)
        saved = None
        if form.is_valid():
            if engagement is None:
                saved = save_through(
                    form,
                    lambda: services.engagement_record(user=user, data=form.engagement_input()),
                    out_of_scope_field=None,
                )
            else:
                saved = save_through(
                    form,
                    lambda: services.engagement_update(user=user, engagement=engagement, data=form.engagement_input()),
                    out_of_scope_field=None,
                )
        if saved is None:
            return self.render_to_response({"form": form, "engagement": engagement})
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class EngagementCreateView(RightRequiredMixin, EngagementFormView):
    model = Engagement
    action = ADD


class EngagementUpdateView(ScopedObjectViewMixin, EngagementFormView):
    model = Engagement
    action = CHANGE

    def existing(self) -> Engagement | None:
        return self.scoped_object_as(Engagement)


def _first_error(form: Any) -> str:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else field
    return f"{label}: {' '.join(str(error) for error in errors)}"


class EngagementDiscloseView(ScopedObjectViewMixin, View):
    """A disclosure of a secret point to the counterparty; refusals become messages."""

    model = Engagement
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        engagement = self.scoped_object_as(Engagement)
        user = signed_in_user(request)
        form = DisclosureForm(request.POST, user=user)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise services.AppError(services.FORM_INVALID, error=_first_error(form))
            services.engagement_disclose(user=user, engagement=engagement, data=form.disclosure_input())
        if outcome.ok:
            messages.success(request, _("Disclosure recorded."))
        return redirect(engagement)


class EngagementEndView(ScopedObjectViewMixin, View):
    """The end of the activity: returned or destroyed; refusals become messages."""

    model = Engagement
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        engagement = self.scoped_object_as(Engagement)
        form = EngagementEndForm(request.POST)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise services.AppError(services.FORM_INVALID, error=_first_error(form))
            data = form.cleaned_data
            services.engagement_end(
                user=signed_in_user(request), engagement=engagement, ending=data["ending"], on=data["on"],
                note=data["note"],
            )  # fmt: skip
        if outcome.ok:
            messages.success(request, _("The end of the activity is recorded."))
        return redirect(engagement)


# --- restricted areas (涉密区域) ---------------------------------------------------------------------


class AreaRows(FilteredRowsMixin):
    model = Area
    filterset_class = AreaFilter
    ordering = ("name", "pk")

    def base_queryset(self) -> QuerySet[Area]:
        points: QuerySet[SecretPoint] = restricted(SecretPoint, self.request.user).order_by("name", "pk")
        people: QuerySet[Person] = Person.objects.order_by("name", "pk")
        rows: QuerySet[Area] = self.get_queryset()
        return rows.prefetch_related(Prefetch("allowed", queryset=people), Prefetch("secret_points", queryset=points))


class AreaListView(AreaRows, ScopedListView):
    template_name = "protection/area_list.html"

    def page_context(self, page: Page[Any]) -> dict[str, Any]:
        _record_list(self.request, page, access.AREAS_LIST)
        return {"can_add": may(self.request.user, ADD, Area), "grades": Grade.choices}


class AreaExportView(AreaRows, ScopedExportView):
    def export(self, rows: QuerySet[Area]) -> HttpResponseBase:
        response = xlsx_response(lambda target: areas_export(rows, target), "涉密区域台账.xlsx")
        access.record(signed_in_user(self.request), access.AREAS_EXPORT)
        return response


class AreaDetailView(ScopedObjectViewMixin, TemplateView):
    model = Area
    template_name = "protection/area_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        area = self.scoped_object_as(Area)
        access.record(user, access.AREA_VIEW, area)
        keeper = in_scope(area, user, CHANGE)
        context.update(
            area=area,
            allowed=area.allowed.order_by("name", "pk"),
            secret_points=restricted(SecretPoint, user).filter(areas=area).order_by("name", "pk"),
            visits=area.visits.select_related("escort")[:200] if keeper else [],
            can_change=keeper,
            visit_form=VisitForm(user=user) if keeper else None,
        )
        return context


class AreaFormView(TemplateView):
    template_name = "protection/area_form.html"
    request: HttpRequest

    def existing(self) -> Area | None:
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        area = self.existing()
        form = AreaForm(user=signed_in_user(request), initial=AreaForm.initial_of(area) if area else None)
        return self.render_to_response({"form": form, "area": area})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        area = self.existing()
        form = AreaForm(request.POST, user=user)
        saved = None
        if form.is_valid():
            if area is None:
                saved = save_through(form, lambda: services.area_create(user=user, data=form.area_input()),
                                     out_of_scope_field=None)  # fmt: skip
            else:
                saved = save_through(
                    form,
                    lambda: services.area_update(user=user, area=area, data=form.area_input()),
                    out_of_scope_field=None,
                )
        if saved is None:
            return self.render_to_response({"form": form, "area": area})
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(saved.get_absolute_url())


class AreaCreateView(RightRequiredMixin, AreaFormView):
    model = Area
    action = ADD


class AreaUpdateView(ScopedObjectViewMixin, AreaFormView):
    model = Area
    action = CHANGE

    def existing(self) -> Area | None:
        return self.scoped_object_as(Area)


class AreaVisitView(ScopedObjectViewMixin, View):
    """A visitor's entry in the area's log; refusals become messages."""

    model = Area
    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        area = self.scoped_object_as(Area)
        user = signed_in_user(request)
        form = VisitForm(request.POST, user=user)
        with refusals_as_messages(request) as outcome:
            if not form.is_valid():
                raise services.AppError(services.FORM_INVALID, error=_first_error(form))
            services.visit_record(user=user, area=area, data=form.visit_input())
        if outcome.ok:
            messages.success(request, _("Visit recorded."))
        return redirect(area)


# --- what a bureau sees: figures, never records --------------------------------------------------


class FiguresView(ScopedViewMixin, TemplateView):
    """Counts and rates for each enterprise the reader may read (a bureau: its region's; an
    enterprise's admin: their own), and their sum. No protection row is read or shown."""

    model = Enterprise
    template_name = "protection/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = program_today()
        enterprises = self.get_queryset().order_by("name", "pk")
        per = figures_for(enterprises, today)
        rows = [(enterprise, per[enterprise.pk]) for enterprise in enterprises.filter(pk__in=list(per))[:500]]
        context.update(rows=rows, total=region_figures(per), today=today, grades=Grade.choices)
        return context
