"""Role homes, one module per role; urls.py imports them from here."""

from .analyst import analyst_home
from .common import HOME_BY_ROLE, RECENT_DAYS, home
from .rep import rep_home
from .retailer import retailer_home
from .vendor import vendor_home

__all__ = ["HOME_BY_ROLE", "RECENT_DAYS", "analyst_home", "home", "rep_home", "retailer_home", "vendor_home"]
