"""AppError: one refusal type; the text follows the reader's language, forms show it on its field."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shangmi.core.errors import AppError, Message
from shangmi.core.forms import save_through

NAME_MISSING = Message("activity.name_missing", _("The activity needs a name."))
TOO_MANY = Message("test.too_many", "At most %(limit)s rows.")


class _Form(forms.Form):
    name = forms.CharField(required=False)


def _refuse(error: AppError):
    def save():
        raise error

    return save


def test_the_text_is_rendered_in_the_readers_language() -> None:
    error = AppError(NAME_MISSING)
    with translation.override("en"):
        assert error.text == "The activity needs a name."
    with translation.override("zh-hans"):
        assert error.text != "The activity needs a name." and error.text
    assert error.code == "activity.name_missing" and error.message is NAME_MISSING


def test_parameters_fill_the_message() -> None:
    assert str(AppError(TOO_MANY, limit=5)) == "At most 5 rows."


def test_a_form_shows_the_refusal_on_its_field_or_on_the_whole_form() -> None:
    form = _Form(data={"name": ""})
    assert form.is_valid()
    assert save_through(form, _refuse(AppError(TOO_MANY, field="name", limit=3)), out_of_scope="x") is None
    assert form.errors["name"] == ["At most 3 rows."]
    form = _Form(data={"name": ""})
    form.is_valid()
    save_through(form, _refuse(AppError(TOO_MANY, field="nonexistent", limit=3)), out_of_scope="x")
    assert form.non_field_errors() == ["At most 3 rows."]
