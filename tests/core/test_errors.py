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


def test_an_out_of_scope_write_without_its_own_wording_gets_the_kits_message() -> None:
    from shangmi.core.forms import OUT_OF_SCOPE
    from shangmi.core.scoping import OutOfScopeError

    form = _Form(data={"name": ""})
    form.is_valid()
    with translation.override("en"):
        save_through(form, _refuse(OutOfScopeError()), out_of_scope_field="name")
        expected = [str(OUT_OF_SCOPE)]
    assert form.errors["name"] == expected and expected[0].startswith("You may not write here")


def test_an_action_refused_becomes_an_error_message_and_the_view_goes_on(rf) -> None:
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from shangmi.core.views import refusals_as_messages

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with refusals_as_messages(request) as outcome:
        raise AppError(TOO_MANY, limit=2)
    assert not outcome.ok and outcome.refused is not None and outcome.refused.message is TOO_MANY
    with refusals_as_messages(request) as second:
        pass
    assert second.ok
    assert [str(m) for m in get_messages(request)] == ["At most 2 rows."]


def test_refused_with_names_the_constant_not_the_wording() -> None:
    import pytest

    from tests.refusals import refused_with

    with refused_with(TOO_MANY):
        raise AppError(TOO_MANY, limit=1)
    with pytest.raises(AssertionError), refused_with(TOO_MANY):
        raise AppError(NAME_MISSING)
    with pytest.raises(pytest.fail.Exception), refused_with(TOO_MANY):
        pass


def test_signed_in_user_refuses_an_anonymous_request(rf) -> None:
    import pytest
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from shangmi.accounts.requests import signed_in_user

    request = rf.get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)


def test_a_file_inputs_help_is_in_the_language_of_the_reader_not_of_the_import() -> None:
    from shangmi.core.forms import MultipleFileField, upload_help

    field = MultipleFileField(help_text=upload_help(20 * 1024 * 1024))
    with translation.override("en"):
        assert str(field.help_text) == "PDF, Word, Excel, PowerPoint or images, up to 20 MB each."
    with translation.override("zh-hans"):
        assert str(field.help_text).startswith("支持 PDF") and "20 MB" in str(field.help_text)
    assert field.clean([]) == [] and field.required is False
