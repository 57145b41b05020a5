"""How a view tells an HTMX request from a page load, and a request for one region of the page from a request
for the whole page. Every app asks here, so the answer (history restores included) is the same everywhere."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """The request was sent by HTMX. django-htmx's middleware sets ``request.htmx``; a request that did not pass
    through it (a test's RequestFactory) is a plain page load."""
    return bool(getattr(request, "htmx", False))


def wants_fragment(request: HttpRequest, target: str) -> bool:
    """HTMX asks for the region with id ``target`` alone. A history restore (the back button after HTMX's cache
    was emptied) wants the whole page whatever the target, or the browser would show a fragment as the page."""
    if not is_htmx(request):
        return False
    return request.htmx.target == target and not request.htmx.history_restore_request
