"""403, 404 and 500 in the site's frame with a way back; signing out from a typed /logout/; the API docs page
offline with a link back to the app; client errors logged in one line."""

import logging
import sys

from django.template.loader import render_to_string

from retailiq.core.logging import ClientErrorWithoutTraceback


def test_another_roles_page_is_a_403_in_the_sites_frame(marketplace, client):
    client.force_login(marketplace.retailer_user_a)
    response = client.get("/vendor/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "This page is not for your role" in body and '<nav aria-label="Main">' in body
    assert 'href="/"' in body and "Sign out" in body


def test_another_reps_shop_is_a_404_in_the_sites_frame(marketplace, client):
    client.force_login(marketplace.rep_a)
    response = client.get(f"/rep/retailers/{marketplace.shop_b.pk}/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Nothing here" in body and '<nav aria-label="Main">' in body and "Go to your home page" in body


def test_the_500_page_renders_without_a_request():
    body = render_to_string("500.html")
    assert "Something went wrong on our side" in body and 'href="/"' in body


def test_logout_typed_in_the_address_bar_asks_and_the_button_signs_out_with_a_message(marketplace, client):
    client.force_login(marketplace.analyst)
    page = client.get("/logout/")
    assert page.status_code == 200 and "Sign out of RetailIQ?" in page.content.decode()
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "You have signed out." in response.content.decode()
    assert client.get("/logout/").url.startswith("/login/")  # signed out already: nothing to ask


def test_swagger_links_back_and_redoc_is_not_offered(marketplace, client):
    client.force_login(marketplace.analyst)
    body = client.get("/api/docs/").content.decode()
    assert "Back to RetailIQ" in body and "https://" not in body.split("<nav", 1)[1].split("</nav>")[0]
    assert client.get("/api/redoc/").status_code == 404


def test_client_errors_are_logged_without_a_traceback():
    try:
        raise PermissionError("not yours")
    except PermissionError:
        info = sys.exc_info()
    brief = ClientErrorWithoutTraceback()
    forbidden = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden: /vendor/", (), info)
    forbidden.status_code = 403
    assert brief.filter(forbidden) and forbidden.exc_info is None
    crash = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error", (), info)
    crash.status_code = 500
    assert brief.filter(crash) and crash.exc_info is info
