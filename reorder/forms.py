"""The forms behind the reorder pages: the call list's filters, a call's outcome and the
retailer's adjusted cart. They only parse and check input; the services decide."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from retailiq.accounts.models import Role, User
from retailiq.core.ids import id_from_text

from .conf import reorder_settings
from .models import CallOutcome
from .services.call_list import MAX_CAPACITY
from .services.outcomes import NOTE_MAX_LENGTH

MAX_CART_QUANTITY = 100_000

OUTCOME_CHOICES = CallOutcome.Outcome.choices


def default_horizon() -> int:
    return reorder_settings().default_horizon


def default_capacity() -> int:
    return reorder_settings().calls_per_day


def _rep_choices() -> list[tuple[str, str]]:
    """Every sales rep, for an analyst who opens the call list as one of them. The accounts
    app has no selector for reps yet (asked for in the reorder contract)."""
    reps = get_user_model().objects.filter(role=Role.SALES_REP, is_active=True).order_by("first_name", "username")
    return [(str(rep.pk), rep.get_full_name() or rep.username) for rep in reps]


class CallListFilterForm(forms.Form):
    """The call list's GET filters. Every field is optional: an empty or invalid one
    falls back to the service's default, and its error shows next to it."""

    rep = forms.TypedChoiceField(label="Sales rep", required=False, coerce=int, empty_value=None)
    city = forms.ChoiceField(label="City", required=False)
    segment = forms.ChoiceField(label="Segment", required=False)
    category = forms.TypedChoiceField(label="Product category", required=False, coerce=int, empty_value=None)
    horizon = forms.TypedChoiceField(label="Within", required=False, coerce=int, empty_value=None)
    capacity = forms.IntegerField(
        label="Calls per day", required=False, min_value=1, max_value=MAX_CAPACITY, widget=forms.NumberInput
    )

    def __init__(self, data: Any, *, user: User, choices: dict[str, Any]) -> None:
        if not (data or {}).get("horizon"):
            # The horizon the list uses when none is asked for shows as chosen.
            data = data.copy()
            data["horizon"] = str(default_horizon())
        super().__init__(data, auto_id="calls-%s")
        self.fields["city"].choices = [("", "Any city"), *[(c, c) for c in choices.get("cities", [])]]
        self.fields["segment"].choices = [("", "Any segment"), *choices.get("segments", [])]
        self.fields["category"].choices = [("", "Any category"), *choices.get("categories", [])]
        horizons = tuple(choices.get("horizons") or (default_horizon(),))
        self.fields["horizon"].choices = [(h, f"{h} days") for h in horizons]
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": MAX_CAPACITY, "step": 1})
        self.fields["capacity"].widget.attrs["placeholder"] = str(default_capacity())
        if user.sees_everything:
            self.fields["rep"].choices = [("", "All reps"), *_rep_choices()]
        else:
            del self.fields["rep"]

    def filters(self) -> dict[str, Any]:
        """The valid filters as build_call_list's keyword arguments."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "rep_id": data.get("rep"),
            "horizon_days": data.get("horizon") or default_horizon(),
            "city": data.get("city") or None,
            "segment": data.get("segment") or None,
            "category_id": data.get("category"),
            "capacity": data.get("capacity") or default_capacity(),
        }


class CallOutcomeForm(forms.Form):
    """What happened on a call. The rules that need the database (the retailer is yours,
    the products exist, a note-only outcome has a note) are the service's."""

    retailer = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    horizon = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea)
    products = forms.TypedMultipleChoiceField(label="Products discussed", required=False, coerce=int)

    def __init__(self, *args: Any, product_ids: Sequence[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posted = [] if product_ids is None else product_ids
        if product_ids is None and self.is_bound:
            posted = [p for p in map(id_from_text, self.data.getlist("products")) if p is not None]
        # The checkboxes offered are the entry's products; the service checks them against
        # the shop's catalogue, so any whole number is a valid choice here.
        self.fields["products"].choices = [(int(p), str(p)) for p in posted]


class CartLine:
    """One line of the retailer's cart as the page shows it."""

    def __init__(self, suggestion: Any, quantity: int | None, raw: str, error: str = "") -> None:
        self.suggestion = suggestion
        self.product = suggestion.product
        self.quantity = quantity
        self.raw = raw
        self.error = error

    @property
    def line_value(self) -> float:
        return (self.quantity or 0) * float(self.suggestion.unit_price or 0)

    @property
    def field_name(self) -> str:
        return f"qty-{self.product.pk}"


def cart_from_post(suggestions: Sequence[Any], data: Any) -> tuple[list[CartLine], dict[int, int], list[str]]:
    """The suggested lines with the quantities the retailer typed: lines removed or set to
    0 drop out; a quantity that is not a whole number from 0 to 100,000 is an error naming
    its product. Products that were not suggested to this shop are ignored."""
    removed = {str(v) for v in data.getlist("remove")}
    lines, quantities, errors = [], {}, []
    for suggestion in suggestions:
        pk = suggestion.product.pk
        if str(pk) in removed:
            continue
        raw = str(data.get(f"qty-{pk}", "")).strip()
        if f"qty-{pk}" not in data:
            # Not in the posted cart: removed earlier, or suggested since the page was drawn.
            continue
        try:
            quantity = int(raw)
        except ValueError:
            quantity = None
        if quantity is None or not 0 <= quantity <= MAX_CART_QUANTITY:
            error = f"{suggestion.product.name}: enter a whole number of units from 0 to {MAX_CART_QUANTITY:,}."
            lines.append(CartLine(suggestion, None, raw, error))
            errors.append(error)
            continue
        if quantity == 0:
            continue
        lines.append(CartLine(suggestion, quantity, raw))
        quantities[pk] = quantity
    return lines, quantities, errors


def cart_from_suggestions(suggestions: Sequence[Any]) -> list[CartLine]:
    """The pre-filled cart: each suggestion at its expected quantity (at least one unit)."""
    return [
        CartLine(s, max(1, int(s.expected_quantity or 0)), str(max(1, int(s.expected_quantity or 0))))
        for s in suggestions
    ]
