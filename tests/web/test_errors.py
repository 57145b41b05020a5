"""Where a domain error meets HTTP: one status per kind of error, and one helper that puts a service's error on
a form beside the field it names."""

import pytest
from django import forms

from retailiq.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooLarge
from retailiq.imports.services import ImportRejected, ImportTooLarge
from retailiq.web.errors import apply_domain_error, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("bad", field="horizon"), 400),
        (TooLarge("too big"), 413),
        (NotFound("no such shop"), 404),
        (Conflict("already running"), 409),
        (Forbidden("not for your role"), 403),
        (DomainError("something else"), 400),
        (ImportRejected("no vendor", errors={"default_vendor": "choose one"}), 400),
        (ImportTooLarge("over the limit"), 413),  # a subclass of both: the more specific status wins
    ],
)
def test_each_kind_of_error_has_one_status(error, status):
    assert status_for(error) == status


class ShopForm(forms.Form):
    name = forms.CharField(required=False)
    city = forms.CharField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


def _form(**data) -> ShopForm:
    form = ShopForm(data)
    assert form.is_valid()
    return form


def test_a_named_input_is_shown_beside_its_field():
    form = _form()
    apply_domain_error(form, InvalidInput("No shop in that city.", field="city"))
    assert form.errors == {"city": ["No shop in that city."]}


def test_an_error_naming_no_input_goes_to_the_top_or_beside_the_default_field():
    form = _form()
    apply_domain_error(form, Conflict("Already running."))
    assert form.non_field_errors() == ["Already running."]
    form = _form()
    apply_domain_error(form, NotFound("Gone."), default_field="name")
    assert form.errors == {"name": ["Gone."]}
    form = _form()
    apply_domain_error(form, NotFound("Gone."), default_field="not_on_this_form")
    assert form.non_field_errors() == ["Gone."]


def test_inputs_the_form_does_not_show_are_at_the_top_and_none_is_lost():
    form = _form()
    error = InvalidInput("Two problems.", fields={"city": "Unknown city.", "region": "Unknown region."})
    apply_domain_error(form, error)
    assert form.errors["city"] == ["Unknown city."] and form.non_field_errors() == ["Unknown region."]


def test_renamed_inputs_find_their_field_and_none_means_the_top():
    form = _form()
    error = InvalidInput("Two problems.", fields={"town": "Unknown town.", "hidden": "Bad preset."})
    apply_domain_error(form, error, field_names={"town": "city", "hidden": None})
    assert form.errors["city"] == ["Unknown town."] and form.non_field_errors() == ["Bad preset."]
    assert "hidden" not in form.errors
