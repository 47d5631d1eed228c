from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError
from shangmi.core.scoping import OutOfScopeError


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


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The model choice field ``name`` of ``form``, typed as one, so a form can narrow its rows
    (``.queryset``) to what the user may pick."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field


def label_choices(field: forms.ModelChoiceField[Any], label: Callable[[Any], str]) -> None:
    """Show each row of ``field`` as ``label(row)`` (a region by its full name, say) instead of
    the row's ``str``, without a ModelChoiceField subclass per way of naming a row."""
    # Django calls field.label_from_instance(row); the stubs declare it a method, so replacing it
    # on the one field is an assignment they refuse, though it is what Django's docs show.
    field.label_from_instance = label  # type: ignore[method-assign, assignment]


_F = TypeVar("_F", bound=forms.Field)


def field_as(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The field ``name`` of ``form``, checked to be a ``kind`` and typed as one, so a form can
    set what only that kind has (a choice field's ``choices``, a text field's ``max_length``)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The choice field ``name`` of ``form``, typed as one, so a form can narrow its ``choices``
    to what the user may pick."""
    return field_as(form, name, forms.ChoiceField)


class BootstrapMixin:
    """Bootstrap classes on every widget of the form (see bootstrap_widgets)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(self, forms.BaseForm):
            raise TypeError(f"{type(self).__name__}: BootstrapMixin belongs on a form")
        bootstrap_widgets(self)


_T = TypeVar("_T")


# What a form shows when the row it would write lies outside the user's scope and the view
# names nothing more precise.
OUT_OF_SCOPE = _("You may not write here: it is outside the regions you manage.")


def save_through(
    form: forms.BaseForm,
    save: Callable[[], _T],
    *,
    out_of_scope: str | Promise | None = None,
    out_of_scope_field: str | None = "region",
) -> _T | None:
    """Run a service's write for ``form``; its refusals become the form's errors.

    Returns what ``save`` returned, or None when it refused: a row that would leave the
    user's scope (OutOfScopeError, reported on ``out_of_scope_field``), the service's
    AppError (on its field, or the whole form) or ValidationError (on the fields it names,
    the rest for the whole form).
    """
    try:
        return save()
    except AppError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.text)
    except OutOfScopeError:
        message = out_of_scope if out_of_scope is not None else OUT_OF_SCOPE
        form.add_error(out_of_scope_field if out_of_scope_field in form.fields else None, str(message))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc)
    return None


def upload_help(max_bytes: int) -> Promise:
    """A file input's help text with its size limit, in the language of whoever reads the page
    (a ``gettext_lazy(...) % ...`` at class level would be fixed in the language at import)."""
    mb = max_bytes // (1024 * 1024)

    def render() -> str:
        return gettext("PDF, Word, Excel, PowerPoint or images, up to %(mb)d MB each.") % {"mb": mb}

    # django-stubs types a lazy() call as its result type; it is a proxy, rendered when read.
    return cast(Promise, lazy(render, str)())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern). Each file's type and size are
    checked by the service through core.uploads, so every way in (page, API) gets the same checks."""

    def __init__(self, *args: Any, accept: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept} if accept else {}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
