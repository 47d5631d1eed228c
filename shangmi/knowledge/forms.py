from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.core.forms import BootstrapMixin, upload_help
from shangmi.core.uploads import DOCUMENTS, MAX_BYTES, accepted_suffixes
from shangmi.enterprises.models import Industry
from shangmi.knowledge.models import COUNTRIES, Article, GuideDocument, Institution
from shangmi.knowledge.services import AlertInput, CaseInput


class ExportMarketForm(BootstrapMixin, forms.Form):
    country = forms.ChoiceField(label=_("Country or region"), choices=COUNTRIES)


class AlertForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    countries = forms.MultipleChoiceField(
        label=_("Export markets concerned"), choices=COUNTRIES, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries concerned (none: all)"),
        choices=Industry.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    is_public = forms.BooleanField(label=_("Show on the public portal once published"), required=False)

    def alert_input(self) -> AlertInput:
        data = self.cleaned_data
        return AlertInput(
            title=data["title"],
            body=data["body"],
            countries=list(data["countries"]),
            industries=list(data["industries"]),
            is_public=bool(data["is_public"]),
        )


class InstitutionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=Institution.Kind.choices)
    services = forms.CharField(label=_("Services"), widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("Contact"), max_length=160, required=False)


class NewsForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class ArticleChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.law.title} {obj.label} {obj.title}"


class CaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}))
    authority = forms.CharField(label=_("Court or bureau"), max_length=120)
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    articles = ArticleChoices(
        label=_("Articles cited"),
        queryset=Article.objects.select_related("law").order_by("law__code", "order", "effective_from"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    source_reference = forms.CharField(label=_("Source case (number)"), max_length=120, required=False)

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        return CaseInput(
            title=data["title"],
            summary=data["summary"],
            authority=data["authority"],
            decided_on=data["decided_on"],
            outcome=data["outcome"],
            articles=list(data["articles"]),
            source_reference=data["source_reference"],
        )


class DocumentForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=GuideDocument.Kind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VersionForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("File of the new version"),
        help_text=upload_help(MAX_BYTES),  # type: ignore[arg-type]  # a lazy text, rendered in the reader's language
        widget=forms.ClearableFileInput(attrs={"accept": accepted_suffixes(DOCUMENTS)}),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
