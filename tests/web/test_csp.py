"""Every response carries the Content-Security-Policy, and nothing the site serves needs
more: no inline script or event handler in a template, Swagger UI's script from its own URL."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/v1/health", "/admin/login/"])
def test_every_response_carries_the_policy(db, path):
    directives = _directives(Client().get(path))
    assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe-eval" in source for sources in directives.values() for source in sources)


def test_a_signed_in_page_and_the_api_docs_carry_it_without_inline_script(db):
    client = Client()
    client.force_login(f.AnalystFactory())
    for path in ("/analyst/", "/api/docs/"):
        response = client.get(path)
        assert response.status_code == 200 and "Content-Security-Policy" in response.headers, path
        assert not INLINE_SCRIPT.search(response.content.decode()), path
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_no_template_holds_an_inline_script_or_event_handler():
    templates = [p for p in ROOT.rglob("templates/**/*.html") if ".venv" not in p.parts]
    assert len(templates) > 20
    for template in templates:
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not EVENT_HANDLER.search(text), template
