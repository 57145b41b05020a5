"""The reorder pages: the sales rep's call list and a retailer's timeline, and the
retailer's "Time to reorder" cart. Each view reads through the reorder services."""

from .calls import call_list_csv, call_list_page, call_list_panel, call_outcome_record
from .cart import suggestion_cart_csv, suggestion_cart_page, suggestion_panel
from .timeline import retailer_timeline_page

__all__ = [
    "call_list_csv",
    "call_list_page",
    "call_list_panel",
    "call_outcome_record",
    "retailer_timeline_page",
    "suggestion_cart_csv",
    "suggestion_cart_page",
    "suggestion_panel",
]
