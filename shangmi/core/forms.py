from __future__ import annotations

from typing import Any

from django import forms


def bootstrap_widgets(form: forms.BaseForm) -> None:
    """Give each widget of ``form`` Bootstrap's class, so templates stay free of per-field markup.

    Forms that add fields after ``__init__`` (a questionnaire's questions) call it themselves.
    """
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class BootstrapMixin:
    """Bootstrap classes on every widget of the form (see bootstrap_widgets)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)  # type: ignore[arg-type]
