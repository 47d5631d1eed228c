"""The kit's typed accessors: a form's fields and a view's row, checked to be what the caller
says they are, so app code is type-checked without casts."""

from __future__ import annotations

import pytest
from django import forms

from shangmi.core.forms import choice_field, field_as, label_choices, model_choices
from shangmi.core.views import ScopedObjectViewMixin
from shangmi.regions.models import Park, Region


class _Form(forms.Form):
    name = forms.CharField(max_length=10)
    colour = forms.ChoiceField(choices=[("r", "red"), ("g", "green")])
    region = forms.ModelChoiceField(queryset=Region.objects.none())


def test_field_as_gives_the_field_of_the_kind_asked() -> None:
    form = _Form()
    name = field_as(form, "name", forms.CharField)
    name.max_length = None
    assert form.fields["name"].max_length is None
    with pytest.raises(TypeError, match="colour is not a CharField"):
        field_as(form, "colour", forms.CharField)


def test_choice_field_narrows_the_choices() -> None:
    form = _Form()
    choice_field(form, "colour").choices = [("g", "green")]
    assert list(form.fields["colour"].choices) == [("g", "green")]
    with pytest.raises(TypeError):
        choice_field(form, "name")


@pytest.mark.django_db
def test_label_choices_names_each_row_its_way() -> None:
    region = Region.objects.order_by("code").first()
    assert region is not None  # the regions are migrated data
    form = _Form()
    field = model_choices(form, "region")
    field.queryset = Region.objects.filter(pk=region.pk)
    label_choices(field, lambda r: f"{r.name} ({r.code})")
    assert [label for _value, label in field.choices][1:] == [f"{region.name} ({region.code})"]


def test_scoped_object_as_checks_the_row_kind() -> None:
    view = ScopedObjectViewMixin()
    view.scoped_object = Region(code="500000", name="重庆市")
    assert view.scoped_object_as(Region).code == "500000"
    with pytest.raises(TypeError, match="not a Park"):
        view.scoped_object_as(Park)
