"""The insight pages and fragments: the feed panel on each role's home, scoped; feedback by HTMX (the card in its
new state) and as a plain form (back to the page); the pattern pages and the segment overview."""

import pytest
from django.test import Client
from django.urls import reverse

from insights.models import InsightFeedback
from retailiq.registry.capabilities import home_panels

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["retailer", "vendor", "sales_rep", "analyst"])
def test_every_role_home_carries_the_insights_panel(role):
    assert "insights:feed-panel" in {panel.url_name for panel in home_panels(role)}


@pytest.mark.parametrize(
    ("user", "sees", "not_sees"),
    [
        ("retailer_user_a", "churn_a", "spike_b"),
        ("rep_b", "spike_b", "churn_a"),
        ("vendor_user_1", "spike_p1", "shift_p2"),
        ("analyst", "market", None),
    ],
)
def test_the_panel_shows_each_role_its_own_insights(stored, user, sees, not_sees):
    body = _client(getattr(stored, user)).get(reverse("insights:feed-panel")).content.decode()
    assert f'id="insight-{getattr(stored, sees).pk}"' in body
    if not_sees:
        assert f'id="insight-{getattr(stored, not_sees).pk}"' not in body
    assert "0 of" in body and "acted on" in body


def test_home_pages_load_the_panel(stored):
    for user, home in (("retailer_user_a", "/retailer/"), ("rep_a", "/rep/"), ("vendor_user_1", "/vendor/"),
                       ("analyst", "/analyst/")):  # fmt: skip
        body = _client(getattr(stored, user)).get(home).content.decode()
        assert reverse("insights:feed-panel") in body and 'id="insights-title"' in body, home


def test_feedback_by_htmx_answers_the_card_and_as_a_form_goes_back(stored):
    m = stored
    client = _client(m.rep_a)
    url = reverse("insights:feedback", args=[m.churn_a.pk])
    card = client.post(url, {"action": "acted_on", "next": "/rep/"}, HTTP_HX_REQUEST="true")
    body = card.content.decode()
    assert card.status_code == 200 and body.startswith('<li class="insight-card') and "Acted on" in body
    assert "1 acted on it" in body
    plain = client.post(url, {"action": "useful", "next": "/rep/"})
    assert plain.status_code == 302 and plain["Location"] == "/rep/"
    outside = client.post(url, {"action": "useful", "next": "https://elsewhere.example/"})
    assert outside["Location"] == reverse("insights:feed")
    assert InsightFeedback.objects.filter(user=m.rep_a).count() == 2
    assert _client(m.rep_b).post(url, {"action": "useful"}).status_code == 404
    bad = client.post(url, {"action": "loved"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "action" in bad.content.decode()


def test_a_dismissed_insight_leaves_the_feed_page_which_states_its_rules(stored):
    m = stored
    client = _client(m.rep_a)
    client.post(reverse("insights:feedback", args=[m.churn_a.pk]), {"action": "dismissed"})
    page = client.get(reverse("insights:feed")).content.decode()
    assert f'id="insight-{m.churn_a.pk}"' not in page and "How this feed is ordered" in page
    everything = client.get(reverse("insights:feed"), {"all": "1"}).content.decode()
    assert f'id="insight-{m.churn_a.pk}"' in everything and "Dismissed" in everything


def test_shop_pattern_page_in_scope_only(scored):
    m = scored
    page = _client(m.rep_b).get(reverse("insights:shop", args=[m.shop_b.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-chart="series-figure"' in body and "Unexplained spike" in body
    assert "Segment, month by month" in body and 'data-chart="weekday-figure"' in body
    assert _client(m.rep_a).get(reverse("insights:shop", args=[m.shop_b.pk])).status_code == 404
    assert _client(m.vendor_user_1).get(reverse("insights:shop", args=[m.shop_b.pk])).status_code == 403


def test_product_pattern_page_with_regions(scored):
    m = scored
    client = _client(m.vendor_user_1)
    page = client.get(reverse("insights:product", args=[m.product_1.pk]))
    assert page.status_code == 200 and 'name="region"' in page.content.decode()
    north = client.get(reverse("insights:product", args=[m.product_1.pk]), {"region": "North"}).content.decode()
    assert "in North" in north and "Unexplained spike" in north
    bad = client.get(reverse("insights:product", args=[m.product_1.pk]), {"region": "Atlantis"})
    assert bad.status_code == 400 and "region" in bad.content.decode()
    assert client.get(reverse("insights:product", args=[m.product_2.pk])).status_code == 404
    assert _client(m.rep_a).get(reverse("insights:product", args=[m.product_1.pk])).status_code == 403


def test_segment_overview_shows_sizes_and_the_transition_table(stored):
    body = _client(stored.analyst).get(reverse("insights:segments")).content.decode()
    assert "Movement from February (rows) to March (columns)" in body and "1 shop moved, 1 stayed" in body
    assert 'class="transition-table"' in body
    for month in ("2019-01", "March"):
        bad = _client(stored.analyst).get(reverse("insights:segments"), {"month": month})
        assert bad.status_code == 400 and "month" in bad.content.decode()
