from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from retailiq.accounts.models import Role


def role_required(*roles: Role) -> Callable:
    """A page for some roles only. Admins may open every page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in roles and not request.user.sees_everything:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
