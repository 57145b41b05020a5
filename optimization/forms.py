"""The pages' forms: the stock health filter (warehouse, risk and, for analysts, the vendor) and the new plan's
constraints. They only read what was typed; the plan service checks the bounds, and its errors come back beside
these fields through `retailiq.web.errors.apply_domain_error`."""

from typing import Any

import pandas as pd
from django import forms

from retailiq.accounts.models import User
from retailiq.catalog.selectors import vendor_list_for_user

from .services.plans import PlanConstraints

# Chance of running out within 14 days: the bands the risk filter offers.
RISK_BANDS = {"high": (0.5, 1.01), "medium": (0.2, 0.5), "low": (0.0, 0.2)}
RISK_CHOICES = [("", "Any risk"), ("high", "High (50% or more)"), ("medium", "Medium (20–50%)"),
                ("low", "Low (under 20%)"), ("unscored", "Not scored")]  # fmt: skip


def _vendor_field(user: User) -> forms.ChoiceField:
    choices = [("", "All vendors"), *vendor_list_for_user(user=user).order_by("name").values_list("pk", "name")]
    return forms.TypedChoiceField(label="Vendor", choices=choices, coerce=int, empty_value=None, required=False)


def vendor_choice(form: forms.Form) -> int | None:
    """The vendor an analyst picked (None: all of them, and always None for a vendor, who sees its own)."""
    return form.cleaned_data.get("vendor") if "vendor" in form.fields and form.is_valid() else None


class StockHealthFilterForm(forms.Form):
    warehouse = forms.TypedChoiceField(label="Warehouse", coerce=int, empty_value=None, required=False)
    risk = forms.ChoiceField(label="Risk, 14 days", choices=RISK_CHOICES, required=False)

    def __init__(self, *args: Any, user: User, warehouses: list[tuple[int, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", "All warehouses")] + [(pk, f"{name} ({code})")
                                                                        for pk, code, name in warehouses]  # fmt: skip
        if user.sees_everything:
            self.fields["vendor"] = _vendor_field(user)


class StockHealthFilter:
    """What the shared table's filter bar needs (a ``form``), over a DataFrame rather than a queryset. A choice
    that is not offered is ignored, as django-filter ignores it."""

    def __init__(self, data: Any, *, user: User, warehouses: list[tuple[int, str, str]]) -> None:
        self.form = StockHealthFilterForm(data or None, user=user, warehouses=warehouses)
        self.form.is_valid()

    def value(self, name: str) -> Any:
        return (getattr(self.form, "cleaned_data", None) or {}).get(name)

    @property
    def warehouse_id(self) -> int | None:
        return self.value("warehouse")

    @property
    def vendor_id(self) -> int | None:
        return self.value("vendor")

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        band = self.value("risk")
        if band == "unscored":
            return frame[frame["probability_14"].isna()]
        if band in RISK_BANDS:
            low, high = RISK_BANDS[band]
            return frame[frame["probability_14"].ge(low) & frame["probability_14"].lt(high)]
        return frame


class PlanForm(forms.Form):
    """A new plan: name, budget, a service-level floor in percent, the warehouses to plan for and, per warehouse,
    the volume it can receive this cycle (empty: its stated capacity). Analysts may plan one vendor's products."""

    name = forms.CharField(max_length=120, required=False)
    budget = forms.FloatField(required=False, label="Budget")
    service_level = forms.FloatField(required=False, label="Service level floor (%)")
    warehouses = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                           label="Warehouses (none ticked: all)")  # fmt: skip

    def __init__(self, *args: Any, user: User, warehouses: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warehouse_codes = list(warehouses)
        self.fields["warehouses"].choices = list(warehouses.items())
        for code, name in warehouses.items():
            self.fields[self.capacity_field(code)] = forms.FloatField(
                required=False, label=f"{name} ({code})", widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        if user.sees_everything:
            self.fields["vendor"] = _vendor_field(user)

    @staticmethod
    def capacity_field(code: str) -> str:
        return f"capacity_{code}"

    def capacity_fields(self) -> list[forms.BoundField]:
        return [self[self.capacity_field(code)] for code in self.warehouse_codes]

    def constraints(self) -> PlanConstraints:
        data = self.cleaned_data
        service = data.get("service_level")
        capacity = {code: data[name] for code in self.warehouse_codes
                    if (name := self.capacity_field(code)) in data and data[name] is not None}  # fmt: skip
        return PlanConstraints(
            budget=data.get("budget"),
            service_level=None if service is None else service / 100.0,
            warehouses=tuple(data.get("warehouses") or ()),
            capacity=capacity,
        )

    def error_fields(self) -> dict[str, str | None]:
        """The service's names for inputs, as this form calls them."""
        return {f"capacity.{code}": self.capacity_field(code) for code in self.warehouse_codes} | {
            "vendor_id": "vendor"
        }
