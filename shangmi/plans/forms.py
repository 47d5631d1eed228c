"""Forms of plan supervision: each only reads what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.core.forms import BootstrapMixin, upload_help
from shangmi.core.forms import MultipleFileField as KitMultipleFileField
from shangmi.core.uploads import ALL_KINDS, accepted_suffixes
from shangmi.plans.services import MAX_BYTES


class MultipleFileField(KitMultipleFileField):
    """The kit's field with the accepted types and the size limit of core.uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("accept", accepted_suffixes(ALL_KINDS))
        kwargs.setdefault("help_text", upload_help(MAX_BYTES))
        super().__init__(*args, **kwargs)


class ReportForm(BootstrapMixin, forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    attachments = MultipleFileField(label=_("Results (files)"), required=False)


class ExtensionForm(BootstrapMixin, forms.Form):
    new_due = forms.DateField(label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    note = forms.CharField(required=False, max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)
