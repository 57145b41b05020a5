"""The upload form and the mapping form. They only collect input: what a valid mapping
is, and what an import may do, the services decide (their errors come back per field, and
retailiq.web.errors.apply_domain_error puts each beside its control)."""

from typing import Any

from django import forms
from django.conf import settings

from .models import ImportMode, SavedMapping
from .reading import ORDER_FIELDS, PRESETS

NOT_MAPPED = ("", "— not in this file —")
MAPPING_PREFIX = "map_"


def preset_choices() -> list[tuple[str, str]]:
    return [("", "None: map the columns myself"), *((p.name, p.label) for p in PRESETS.values())]


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="A .csv file, or one compressed as .csv.gz. The first line names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.gz,.txt,text/csv,application/gzip"}),
    )
    preset = forms.ChoiceField(
        required=False, label="Preset", help_text="A known file layout maps its columns for you."
    )
    saved_mapping = forms.ModelChoiceField(
        queryset=SavedMapping.objects.none(),
        required=False,
        label="Saved mapping",
        empty_label="None",
        help_text="A mapping saved from an earlier import of files with the same columns.",
    )

    def __init__(self, *args: Any, saved_mappings=None, too_large: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["preset"].choices = preset_choices()
        if saved_mappings is not None:
            self.fields["saved_mapping"].queryset = saved_mappings

    def clean_file(self):
        if self.too_large:
            raise forms.ValidationError(self.too_large)
        upload = self.cleaned_data.get("file")
        if not upload:
            raise forms.ValidationError("Choose a CSV file to upload.")
        return upload


class MappingForm(forms.Form):
    """One select per RetailIQ field (`map_<field>`), listing the file's columns, then
    what the import may create and how it treats bad lines."""

    # Where the services' errors show (ImportRejected names RetailIQ fields and option names): a RetailIQ field
    # beside its select; the hidden preset and saved mapping are nothing to correct here, so at the top.
    SERVICE_FIELDS: dict[str, str | None] = {
        **{field.name: MAPPING_PREFIX + field.name for field in ORDER_FIELDS},
        "preset": None,
        "saved_mapping": None,
    }

    default_vendor = forms.ChoiceField(
        required=False,
        label="Vendor of the products",
        help_text="Used for every line whose vendor column is empty, or for all lines when no column is mapped.",
    )
    new_vendor = forms.CharField(
        required=False, max_length=200, label="Or a new vendor named", help_text="Created by the import."
    )
    auto_create_retailers = forms.BooleanField(
        required=False, initial=True, label="Create retailers the marketplace does not know yet"
    )
    auto_create_products = forms.BooleanField(
        required=False, initial=True, label="Create products the marketplace does not know yet"
    )
    currency = forms.ChoiceField(
        required=False,
        label="Currency of the file's prices",
        help_text="Amounts are never shown with another currency's symbol: prices in another currency are "
        "converted at the rate below.",
    )
    # Left blank for the analyst to type whenever the file is in another currency (never pre-filled from a
    # preset: an invented rate would be stated as the analyst's); the service says when it is missing or not
    # above 0, beside this field.
    exchange_rate = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=6,
        label="Rate into the marketplace's currency",
        help_text="Required when the file's currency is not the marketplace's: how much one unit of the file's "
        "currency is worth in the marketplace's, as your books have it. Stated on the import's page.",
    )
    mode = forms.ChoiceField(
        choices=ImportMode.choices, initial=ImportMode.QUARANTINE, widget=forms.RadioSelect, label="Bad lines"
    )
    save_as = forms.CharField(
        required=False,
        max_length=120,
        label="Save this mapping as",
        help_text="Optional: a name to reuse this mapping for the next file with these columns.",
    )
    preset = forms.CharField(required=False, widget=forms.HiddenInput)
    saved_mapping = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, header: list[str], vendors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [NOT_MAPPED, *((column, column) for column in header)]
        mapping_fields = {}
        for field in ORDER_FIELDS:
            mapping_fields[MAPPING_PREFIX + field.name] = forms.ChoiceField(
                choices=columns, required=False, label=field.label, help_text=field.help
            )
        self.fields = {**mapping_fields, **self.fields}
        self.fields["default_vendor"].choices = [("", "— choose a vendor —"), *vendors]
        self.fields["currency"].choices = currency_choices()
        self.fields["currency"].initial = settings.RETAILIQ_CURRENCY

    def mapping_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """(RetailIQ field, its select) in the order of ORDER_FIELDS."""
        return [(field, self[MAPPING_PREFIX + field.name]) for field in ORDER_FIELDS]

    def policy_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("auto_create_retailers", "auto_create_products")]

    def clean(self) -> dict[str, Any]:
        # A missing vendor is the service's to report, with every other problem of the mapping at once.
        data = super().clean()
        data["vendor"] = (data.get("new_vendor") or "").strip() or data.get("default_vendor") or ""
        return data

    @property
    def mapping(self) -> dict[str, str | None]:
        return {field.name: self.cleaned_data.get(MAPPING_PREFIX + field.name) or None for field in ORDER_FIELDS}

    @property
    def policy(self) -> dict[str, Any]:
        return {
            "auto_create_retailers": self.cleaned_data["auto_create_retailers"],
            "auto_create_products": self.cleaned_data["auto_create_products"],
            "default_vendor": self.cleaned_data["vendor"],
            "currency": self.cleaned_data.get("currency") or settings.RETAILIQ_CURRENCY,
            "exchange_rate": None if (rate := self.cleaned_data.get("exchange_rate")) is None else float(rate),
        }


def mapping_initial(*, header: list[str], mapping: dict[str, str | None], options: dict[str, Any]) -> dict[str, Any]:
    """Initial values: the proposed (or preset, or saved) mapping, kept to columns the
    file has, and the policy options when a saved mapping brings them."""
    columns = set(header)
    initial: dict[str, Any] = {
        MAPPING_PREFIX + name: column for name, column in mapping.items() if column and column in columns
    }
    for name in ("auto_create_retailers", "auto_create_products"):
        if name in options:
            initial[name] = bool(options[name])
    for name in ("currency", "exchange_rate"):
        if options.get(name):
            initial[name] = options[name]
    return initial


CURRENCIES = ("INR", "GBP", "USD", "EUR")


def currency_choices() -> list[tuple[str, str]]:
    marketplace = settings.RETAILIQ_CURRENCY
    return [(code, code) for code in (marketplace, *(c for c in CURRENCIES if c != marketplace))]
