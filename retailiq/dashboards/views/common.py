"""What every role's home shares: where each role lands, and the recent window."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from retailiq.accounts.models import Role

from ..reference_day import reference_day

RECENT_DAYS = 90
HOME_BY_ROLE = {
    Role.RETAILER: "retailer-home",
    Role.VENDOR: "vendor-home",
    Role.SALES_REP: "rep-home",
    Role.ANALYST: "analyst-home",
    Role.ADMIN: "analyst-home",
}


def recent_since() -> dt.date:
    return reference_day() - dt.timedelta(days=RECENT_DAYS)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME_BY_ROLE.get(request.user.role, "analyst-home"))
