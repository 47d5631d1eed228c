"""Pages of the guidance ledger. Thin: rows come from restrict() (a stranger gets 404), writes
from guidance.py, the half-year rule from halfyear.py, the spreadsheet from exporting_guidance.py.

The recording form is made for a phone on site: one column, the time already filled in,
the camera one tap away.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from shangmi.accounts.models import User
from shangmi.accounts.requests import signed_in_user
from shangmi.core.calendar import program_local, program_now, program_today, program_year
from shangmi.core.forms import (
    BootstrapMixin,
    MultipleFileField,
    MultipleFileInput,
    model_choices,
    save_through,
    upload_help,
)
from shangmi.core.lists import FilteredRowsMixin, ScopedExportView, ScopedListView, page_of
from shangmi.core.scoping import ADD, CHANGE, VIEW, restricted_for_planner, scope_subtree
from shangmi.core.views import ScopedFileView, ScopedObjectViewMixin, ScopedViewMixin, refusals_as_messages
from shangmi.core.xlsx import xlsx_response
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance import halfyear
from shangmi.ledgers.guidance import services as guidance
from shangmi.ledgers.guidance.exporting import guidance_export
from shangmi.ledgers.guidance.filters import GuidanceFilter, HalfYearFilter
from shangmi.ledgers.guidance.services import VisitInput
from shangmi.ledgers.models import GuidanceVisit, VisitAttachment

THUMBNAIL_MAX_AGE = 7 * 24 * 3600
# Shown for attachments that have no thumbnail (PDF, office files, HEIC photos).
FILE_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 16 16" fill="#64748b">'
    '<rect width="16" height="16" fill="#eef2f7"/><path d="M5 3h4l3 3v7H5z" fill="none" stroke="#64748b" '
    'stroke-width=".6"/><path d="M9 3v3h3" fill="none" stroke="#64748b" stroke-width=".6"/></svg>'
)


# --- forms -------------------------------------------------------------------------------------


class VisitForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=gettext_lazy("Enterprise"), queryset=Enterprise.objects.none())
    visited_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=255)
    bureau_participants = forms.CharField(
        label=gettext_lazy("Participants (bureau side)"),
        max_length=500,
        help_text=gettext_lazy("Names, separated by commas."),
    )
    enterprise_participants = forms.CharField(label=gettext_lazy("Participants (enterprise side)"), max_length=500)
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    issues = forms.CharField(
        label=gettext_lazy("Issues found"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    advice = forms.CharField(label=gettext_lazy("Advice"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label=gettext_lazy("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=gettext_lazy("Take photos on site, or choose them from the phone."),
    )
    # A declared field moves to base_fields (Django's form metaclass), so BaseForm.files, the
    # uploaded files, is untouched; the stubs see a class attribute replacing it.
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("Files"),
        required=False,
        help_text=upload_help(guidance.MAX_BYTES),
    )

    def __init__(self, *args: Any, user: Any, visit: GuidanceVisit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprises = guidance.recordable_enterprises(user)
        if visit is not None:  # a bureau may keep a visit's enterprise it could not choose anew
            enterprises = Enterprise.objects.filter(Q(pk__in=enterprises.values("pk")) | Q(pk=visit.enterprise_id))
        field = model_choices(self, "enterprise")
        field.queryset = enterprises.order_by("name", "pk")
        field.empty_label = _("Choose the enterprise")
        self.fields["files"].widget.attrs["accept"] = guidance.accepted_files()
        for name in ("place", "bureau_participants", "enterprise_participants"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def visit_input(self) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            enterprise=data["enterprise"],
            visited_at=data["visited_at"],
            place=data["place"],
            bureau_participants=data["bureau_participants"],
            enterprise_participants=data["enterprise_participants"],
            content=data["content"],
            issues=data.get("issues", ""),
            advice=data.get("advice", ""),
        )

    def uploads(self) -> list[Any]:
        return [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("files", [])]


def _local_input(moment: datetime.datetime) -> str:
    return program_local(moment).strftime("%Y-%m-%dT%H:%M")


# --- filters -----------------------------------------------------------------------------------


def _int(value: str | None, low: int | None = None, high: int | None = None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def filter_choices(visits: QuerySet[GuidanceVisit]) -> dict[str, Any]:
    """Choices for the filters, taken from the visits the reader may see (and only those)."""
    # The officers are the ones named on visible visits: readers see those names in the list anyway.
    officers = User.objects.filter(pk__in=visits.values("officer_id")).order_by("full_name", "username")
    enterprises = Enterprise.objects.filter(pk__in=visits.values("enterprise_id")).order_by("name", "pk")
    this_year = program_year()
    return {
        "enterprises": enterprises.only("pk", "name"),
        "officers": officers.only("pk", "full_name", "username"),
        "years": list(range(this_year, this_year - 6, -1)),
        "halves": [(half, halfyear.HALF_LABELS[half]) for half in halfyear.HALVES],
    }


# --- the ledger --------------------------------------------------------------------------------


def _with_photos(visits: QuerySet[GuidanceVisit]) -> QuerySet[GuidanceVisit]:
    return visits.select_related("enterprise", "officer").prefetch_related(
        Prefetch("attachments", queryset=VisitAttachment.objects.order_by("uploaded_at", "pk"))
    )


class GuidanceRows(FilteredRowsMixin):
    model = GuidanceVisit
    filterset_class = GuidanceFilter
    ordering = ("-visited_at", "-pk")


class GuidanceListView(GuidanceRows, ScopedListView):
    template_name = "ledgers/guidance_list.html"
    paginate_by = 30

    def base_queryset(self) -> QuerySet[GuidanceVisit]:
        return _with_photos(self.get_queryset())

    def filters(self) -> GuidanceFilter:
        filters = self.filterset
        if not isinstance(filters, GuidanceFilter):  # filterset_class names it
            raise ImproperlyConfigured("the guidance list is filtered by GuidanceFilter")
        return filters

    def page_context(self, page: Page) -> dict[str, Any]:
        for visit in page.object_list:
            attachments = list(visit.attachments.all())
            visit.photo = next((a for a in attachments if a.is_image), None)
            visit.attachment_count = len(attachments)
        return {
            "filters": self.filters().chosen(),
            "can_record": guidance.may_record(signed_in_user(self.request)),
            **filter_choices(self.get_queryset()),
        }


class GuidanceExportView(GuidanceRows, ScopedExportView):
    """The filtered ledger, within the reader's scope, as .xlsx."""

    def export(self, rows: QuerySet[GuidanceVisit]) -> HttpResponseBase:
        filename = f"指导台账-{program_now():%Y%m%d}.xlsx"
        return xlsx_response(lambda target: guidance_export(rows, target), filename, stream=True)


class GuidanceCreateView(ScopedViewMixin, TemplateView):
    model = GuidanceVisit
    action = ADD
    template_name = "ledgers/guidance_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not guidance.may_record(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        initial: dict[str, Any] = {
            "visited_at": _local_input(timezone.now()),
            "bureau_participants": user.display_name,
        }
        enterprises = guidance.recordable_enterprises(user)
        chosen = _int(request.GET.get("enterprise"))
        if chosen is None and enterprises.count() == 1:
            chosen = enterprises.get().pk
        enterprise = enterprises.filter(pk=chosen).first() if chosen is not None else None
        if enterprise is not None:
            initial.update(enterprise=enterprise.pk, place=enterprise.address)
        form = VisitForm(user=user, initial=initial)
        return self.render_to_response({"form": form, "no_enterprises": not enterprises.exists()})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in_user(request)
        form = VisitForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            visit = save_through(
                form, lambda: guidance.visit_record(user=user, data=form.visit_input(), uploads=form.uploads())
            )
            if visit is not None:
                messages.success(request, _("Guidance visit recorded."))
                return HttpResponseRedirect(reverse("ledgers:guidance_detail", args=[visit.pk]))
        return self.render_to_response({"form": form})


class GuidanceDetailView(ScopedObjectViewMixin, TemplateView):
    model = GuidanceVisit
    template_name = "ledgers/guidance_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        visit = self.scoped_row(kwargs["pk"])
        attachments = list(visit.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"))
        context.update(
            visit=visit,
            photos=[a for a in attachments if a.is_image],
            files=[a for a in attachments if not a.is_image],
            can_edit=guidance.may_edit(user, visit),
            half=halfyear.half_of(visit.visited_at),
            half_labels=halfyear.HALF_LABELS,
        )
        return context


class GuidanceUpdateView(ScopedObjectViewMixin, TemplateView):
    model = GuidanceVisit
    action = CHANGE
    template_name = "ledgers/guidance_form.html"

    def visit(self, pk: int) -> GuidanceVisit:
        visit = self.scoped_row(pk)
        return visit

    def refuse(self, visit: GuidanceVisit) -> HttpResponse:
        messages.error(self.request, guidance.MAY_NOT_EDIT.render())
        return HttpResponseRedirect(reverse("ledgers:guidance_detail", args=[visit.pk]))

    def context(self, form: VisitForm, visit: GuidanceVisit) -> dict[str, Any]:
        return {"form": form, "visit": visit, "attachments": visit.attachments.order_by("uploaded_at", "pk")}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self.visit(pk)
        if not guidance.may_edit(signed_in_user(request), visit):
            return self.refuse(visit)
        initial = {
            "enterprise": visit.enterprise_id,
            "visited_at": _local_input(visit.visited_at),
            **{
                name: getattr(visit, name)
                for name in ("place", "bureau_participants", "enterprise_participants", "content", "issues", "advice")
            },
        }
        return self.render_to_response(
            self.context(VisitForm(user=signed_in_user(request), visit=visit, initial=initial), visit)
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self.visit(pk)
        if not guidance.may_edit(signed_in_user(request), visit):
            return self.refuse(visit)
        user = signed_in_user(request)
        form = VisitForm(request.POST, request.FILES, user=user, visit=visit)
        if form.is_valid():
            saved = save_through(
                form,
                lambda: guidance.visit_update(user=user, visit=visit, data=form.visit_input(), uploads=form.uploads()),
            )
            if saved is None:
                visit.refresh_from_db()  # the refused write may have set fields on the row in memory
            else:
                messages.success(request, _("Guidance visit saved."))
                return HttpResponseRedirect(reverse("ledgers:guidance_detail", args=[visit.pk]))
        return self.render_to_response(self.context(form, visit))


# --- attachments: always through the scope, never a MEDIA URL ------------------------------------


class GuidanceAttachmentView(ScopedFileView):
    model = VisitAttachment
    private_max_age = THUMBNAIL_MAX_AGE

    def inline(self, row: VisitAttachment) -> bool:
        # Photos open in the browser; other files download. Their type was checked on upload.
        return row.is_image


class GuidanceThumbnailView(ScopedObjectViewMixin, View):
    model = VisitAttachment

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = self.scoped_row(pk)
        data = guidance.thumbnail(attachment)
        response = (
            HttpResponse(data, content_type="image/jpeg")
            if data is not None
            else HttpResponse(FILE_ICON, content_type="image/svg+xml")
        )
        # The file behind an attachment never changes (a new file is a new attachment).
        patch_cache_control(response, private=True, max_age=THUMBNAIL_MAX_AGE)
        return response


class GuidanceAttachmentDeleteView(ScopedObjectViewMixin, View):
    model = VisitAttachment
    action = CHANGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = self.scoped_row(pk)
        visit_pk = attachment.visit_id
        with refusals_as_messages(request) as outcome:
            guidance.attachment_remove(user=signed_in_user(request), attachment=attachment)
        if outcome.ok:
            messages.success(request, _("%(name)s removed.") % {"name": attachment.original_name})
        return HttpResponseRedirect(reverse("ledgers:guidance_update", args=[visit_pk]))


# --- the half-year rule --------------------------------------------------------------------------


class GuidanceHalfYearView(ScopedViewMixin, TemplateView):
    """Who is missing which half of a year, in the reader's scope."""

    model = GuidanceVisit
    template_name = "ledgers/guidance_halfyear.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        # A bad filter value: the page, with what is wrong, answered as the bad request it is.
        return self.render_to_response(context, status=400 if context["filter_errors"] else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, params = signed_in_user(self.request), self.request.GET
        today = program_today()
        filters = HalfYearFilter(
            params or None,
            queryset=halfyear.guided_enterprises(restricted_for_planner(Enterprise, user, VIEW)),
            user=user,
        )
        chosen = filters.chosen()
        year = chosen.year or today.year
        enterprises = filters.qs
        status = halfyear.half_year_status(enterprises, year)
        only_missing = chosen.missing
        if only_missing:
            missing = halfyear.missing_q(year, today)
            status = status.filter(missing) if missing is not None else status.none()
        subtree = scope_subtree(Enterprise, user, VIEW)
        if subtree is not None and chosen.officer is None:
            # A region's whole subtree: the totals are sums of its regions' summaries.
            paths = [subtree, *([chosen.region.path] if chosen.region is not None else [])]
            counts = halfyear.region_counts(paths, year)
            totals = halfyear.counts_totals(counts, year, today, only_missing=only_missing)
        else:
            totals = halfyear.status_totals(status)
        rows = status.select_related("region", "liaison_officer", "guidance_officer")
        rows = rows.order_by("region_id", "name", "pk")
        # The totals counted the same rows already: the paginator need not count them again
        # (with the "missing" filter that COUNT would recompute every row's visits).
        page = page_of(self.request, rows, 50, count=totals["enterprises"])
        query = params.copy()
        query.pop("page", None)
        halves = [self.half(year, half, totals, today) for half in halfyear.HALVES]
        for row in page.object_list:
            # Each row's two cells with their half, so the template has one loop and no lookups.
            row.cells = [(half, getattr(row, half["field"])) for half in halves]
        context.update(
            year=year,
            years=list(range(today.year + 1, today.year - 6, -1)),
            halves=halves,
            totals=totals,
            page=page,
            # The districts and officers of the scope, before the filters narrow the rows.
            regions=filters.filters["region"].queryset,
            region=chosen.region,
            officers=filters.filters["officer"].queryset,
            officer=chosen.officer.pk if chosen.officer is not None else None,
            only_missing=only_missing,
            filter_errors=filters.error_texts(),
            query=query.urlencode(),
            recordable=self.recordable(page.object_list),
        )
        return context

    def recordable(self, rows: Any) -> set[int]:
        """Which enterprises of the page the reader may record a visit for (one query)."""
        ids = [row.pk for row in rows]
        return set(
            guidance.recordable_enterprises(signed_in_user(self.request))
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    @staticmethod
    def half(year: int, half: int, totals: dict[str, int], today: datetime.date) -> dict[str, Any]:
        return {
            "half": half,
            "label": halfyear.HALF_LABELS[half],
            "field": halfyear.HALF_FIELDS[half],
            "deadline": halfyear.half_deadline(year, half),
            "days_left": halfyear.days_left(year, half, today),
            "started": halfyear.half_started(year, half, today),
            "covered": totals[halfyear.HALF_FIELDS[half]],
        }
