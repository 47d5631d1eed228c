"""The bureau's and the enterprise's pages: export markets, risk alerts with their receipts,
news, typical cases with their review, institutions, and search. Public pages are in
shangmi/portal."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from shangmi.accounts.requests import signed_in_user
from shangmi.core.forms import save_through
from shangmi.core.lists import ScopedListView
from shangmi.core.roles import Role
from shangmi.core.scoping import ADD, CHANGE, DELETE, in_scope, may
from shangmi.core.views import (
    RightRequiredMixin,
    ScopedActionView,
    ScopedFileView,
    ScopedObjectViewMixin,
    ScopedViewMixin,
)
from shangmi.knowledge import services
from shangmi.knowledge.forms import (
    AlertForm,
    CaseForm,
    DocumentForm,
    ExportMarketForm,
    InstitutionForm,
    NewsForm,
    VersionForm,
)
from shangmi.knowledge.models import (
    COUNTRIES,
    AlertDelivery,
    DocumentVersion,
    ExportMarket,
    GuideDocument,
    Institution,
    NewsArticle,
    RiskAlert,
    SearchEntry,
    Status,
    TypicalCase,
)
from shangmi.knowledge.search import search
from shangmi.knowledge.selectors import receipt_rate

COUNTRY_NAMES = dict(COUNTRIES)


class ServiceFormView(RightRequiredMixin, TemplateView):
    """A page with one form whose valid post is one service call; a refusal stays on the form."""

    action = ADD
    template_name = "knowledge/form.html"
    form_class: ClassVar[type[forms.Form]]
    heading: ClassVar[Any]
    done: ClassVar[Any]

    def save(self, user: Any, form: Any) -> Model:
        raise NotImplementedError(f"{type(self).__name__} names no service to save through")

    def success_url(self, row: Any) -> str:
        return str(row.get_absolute_url())

    def render_form(self, form: forms.Form) -> HttpResponse:
        return self.render_to_response({"form": form, "heading": str(self.heading)})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(self.form_class())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = self.form_class(request.POST)
        row = save_through(form, lambda: self.save(user, form)) if form.is_valid() else None
        if row is None:
            return self.render_form(form)
        messages.success(request, str(self.done))
        return HttpResponseRedirect(self.success_url(row))


class ActionView(ScopedActionView):
    """A button on a row's page: one service call, its refusal shown as a message."""

    action = CHANGE


# --- export markets -----------------------------------------------------------------------


class ExportMarketListView(ScopedListView):
    model = ExportMarket
    template_name = "knowledge/market_list.html"
    ordering = ("enterprise__name", "country", "pk")

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("enterprise")

    def page_context(self, page: Any) -> dict[str, Any]:
        user = signed_in_user(self.request)
        return {"form": ExportMarketForm(), "can_add": may(user, ADD, ExportMarket) and user.enterprise_id is not None}


class ExportMarketAddView(ServiceFormView):
    model = ExportMarket
    form_class = ExportMarketForm
    heading = gettext_lazy("Add an export market")
    done = gettext_lazy("Export market added.")

    def save(self, user: Any, form: Any) -> Model:
        return services.export_market_add(user=user, country=form.cleaned_data["country"])

    def success_url(self, row: Any) -> str:
        return "/knowledge/markets/"


class ExportMarketRemoveView(ActionView):
    model = ExportMarket
    action = DELETE

    def run(self, user: Any, row: Any) -> str:
        services.export_market_remove(user=user, market=row)
        return _("Export market removed.")

    def after(self, row: Any) -> str:
        return "/knowledge/markets/"


# --- risk alerts --------------------------------------------------------------------------


class AlertListView(ScopedListView):
    model = RiskAlert
    template_name = "knowledge/alert_list.html"
    ordering = ("-published_at", "-pk")

    def page_context(self, page: Any) -> dict[str, Any]:
        user = signed_in_user(self.request)
        return {"can_add": may(user, ADD, RiskAlert) and user.role == Role.REGULATOR}


class AlertCreateView(ServiceFormView):
    model = RiskAlert
    form_class = AlertForm
    heading = gettext_lazy("New risk alert")
    done = gettext_lazy("Risk alert saved as a draft: publish it to deliver it.")

    def save(self, user: Any, form: Any) -> Model:
        return services.alert_create(user=user, data=form.alert_input())


class AlertDetailView(ScopedObjectViewMixin, TemplateView):
    model = RiskAlert
    template_name = "knowledge/alert_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        alert = self.scoped_row(self.kwargs["pk"])
        bureau = in_scope(alert, user, CHANGE)
        context.update(
            alert=alert,
            countries=[COUNTRY_NAMES.get(code, code) for code in alert.countries],
            bureau=bureau,
            published=alert.status == Status.PUBLISHED,
            rate=receipt_rate(alert) if bureau else None,
            deliveries=alert.deliveries.select_related("user", "enterprise") if bureau else None,
        )
        return context


class ReceivedAlertListView(ScopedListView):
    """The alerts delivered to the reader (an enterprise's people)."""

    model = AlertDelivery
    template_name = "knowledge/received_list.html"
    ordering = ("-delivered_at", "-pk")

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("alert")


class ReceivedAlertView(ScopedObjectViewMixin, TemplateView):
    """One delivered alert; opening it signs the reader's receipt."""

    model = AlertDelivery
    template_name = "knowledge/alert_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        delivery = services.alert_read(user=signed_in_user(self.request), delivery=self.scoped_row(self.kwargs["pk"]))
        alert = delivery.alert
        context.update(
            alert=alert,
            countries=[COUNTRY_NAMES.get(code, code) for code in alert.countries],
            bureau=False,
            received=delivery,
        )
        return context


class AlertPublishView(ActionView):
    model = RiskAlert

    def run(self, user: Any, row: Any) -> str:
        reached = services.alert_publish(user=user, alert=row)
        return _("Published and delivered to %(count)d people.") % {"count": reached}


# --- institutions -------------------------------------------------------------------------


class InstitutionCreateView(ServiceFormView):
    model = Institution
    form_class = InstitutionForm
    heading = gettext_lazy("Add a service institution")
    done = gettext_lazy("Institution added.")

    def save(self, user: Any, form: Any) -> Model:
        return services.institution_add(user=user, **form.cleaned_data)

    def success_url(self, row: Any) -> str:
        return "/portal/institutions/"


# --- news ---------------------------------------------------------------------------------


class NewsListView(ScopedListView):
    model = NewsArticle
    template_name = "knowledge/news_list.html"
    ordering = ("-published_at", "-pk")


class NewsCreateView(ServiceFormView):
    model = NewsArticle
    form_class = NewsForm
    heading = gettext_lazy("New article")
    done = gettext_lazy("Article saved as a draft.")

    def save(self, user: Any, form: Any) -> Model:
        return services.news_create(user=user, **form.cleaned_data)


class NewsDetailView(ScopedObjectViewMixin, TemplateView):
    model = NewsArticle
    template_name = "knowledge/news_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        article = self.scoped_row(self.kwargs["pk"])
        context.update(article=article, can_publish=article.status == Status.DRAFT)
        return context


class NewsPublishView(ActionView):
    model = NewsArticle

    def run(self, user: Any, row: Any) -> str:
        services.news_publish(user=user, article=row)
        return _("Article published.")


# --- typical cases ------------------------------------------------------------------------


class CaseListView(ScopedListView):
    model = TypicalCase
    template_name = "knowledge/case_list.html"
    ordering = ("-decided_on", "-pk")


class CaseCreateView(ServiceFormView):
    model = TypicalCase
    form_class = CaseForm
    heading = gettext_lazy("New typical case")
    done = gettext_lazy("Typical case saved as a draft.")

    def save(self, user: Any, form: Any) -> Model:
        return services.case_create(user=user, data=form.case_input())


class CaseDetailView(ScopedObjectViewMixin, TemplateView):
    model = TypicalCase
    template_name = "knowledge/case_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        case = self.scoped_row(self.kwargs["pk"])
        context.update(
            case=case,
            articles=case.articles.select_related("law"),
            can_submit=case.status == Status.DRAFT,
            can_review=case.status == Status.SUBMITTED and case.created_by_id != user.pk,
        )
        return context


class CaseSubmitView(ActionView):
    model = TypicalCase

    def run(self, user: Any, row: Any) -> str:
        services.case_submit(user=user, case=row)
        return _("Submitted for review.")


class CaseReviewView(ActionView):
    model = TypicalCase

    def run(self, user: Any, row: Any) -> str:
        approve = self.request.POST.get("decision") == "approve"
        services.case_review(user=user, case=row, approve=approve)
        return _("Approved and published.") if approve else _("Returned to draft.")


# --- search -------------------------------------------------------------------------------


class SearchView(ScopedViewMixin, TemplateView):
    """Search as a signed-in reader: published entries and the drafts of one's own bureau."""

    model = SearchEntry
    template_name = "knowledge/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        kind = self.request.GET.get("kind", "")
        if kind not in SearchEntry.Kind.values:
            kind = ""
        results = search(query, self.request.user, kind=kind) if query else None
        context.update(query=query, kind=kind, kinds=SearchEntry.Kind.choices, results=results, public=False)
        return context


# --- guides and templates -----------------------------------------------------------------


class DocumentListView(ScopedListView):
    model = GuideDocument
    template_name = "knowledge/document_list.html"
    ordering = ("kind", "title", "pk")

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("region").prefetch_related("versions")

    def page_context(self, page: Any) -> dict[str, Any]:
        user = signed_in_user(self.request)
        return {"can_add": may(user, ADD, GuideDocument) and user.role == Role.REGULATOR}


class DocumentCreateView(ServiceFormView):
    model = GuideDocument
    form_class = DocumentForm
    heading = gettext_lazy("New guide or template")
    done = gettext_lazy("Saved: publish its first version from its page.")

    def save(self, user: Any, form: Any) -> Model:
        return services.document_create(user=user, **form.cleaned_data)


class DocumentDetailView(ScopedObjectViewMixin, TemplateView):
    model = GuideDocument
    template_name = "knowledge/document_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document = self.scoped_row(self.kwargs["pk"])
        can_publish = in_scope(document, self.request.user, CHANGE)
        context.update(
            document=document,
            versions=document.versions.order_by("-number"),
            can_publish=can_publish,
            form=kwargs.get("form") or (VersionForm() if can_publish else None),
        )
        return context


class DocumentPublishView(DocumentDetailView):
    """A new version of a document: the upload is checked by the service, a refusal stays on the page."""

    action = CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self.scoped_row(pk)
        form = VersionForm(request.POST, request.FILES)
        version = None
        if form.is_valid():
            version = save_through(
                form,
                lambda: services.document_publish_version(
                    user=signed_in_user(request),
                    document=document,
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                ),
            )
        if version is None:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, _("Version %(number)d published.") % {"number": version.number})
        return redirect(document)


class VersionDownloadView(ScopedFileView):
    model = DocumentVersion
