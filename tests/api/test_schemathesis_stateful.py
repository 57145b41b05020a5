"""The API as schemathesis' state machine walks it, one caller of a pair asking and the other named as its peer
(one pair two shops, the other two vendors), with the use-after-free, resource-availability and
object-level-authorization checks.

Two walks. The random one is hypothesis' sequences of reads joined by the links schemathesis infers between
operations, seeded and bounded (ten sequences of eight steps per pair); its generated filters mostly make lists that
are empty or refused, so it seldom reaches a detail. The linked one takes every list → detail link the state machine
has, asks the list as the owner (each side of each pair owns objects of every kind it can read: orders, sales lines,
stock, purchase orders, jobs), follows the link to a detail with an id from that list, and lets the
object-level-authorization check replay that read as the peer, who must not get the object. The peer's calls are
counted, so a walk in which the check asked nothing fails; and with the order detail made to read every shop's
orders, the same walk must fail (`test_the_walk_catches_a_detail_that_leaks`)."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.stateful import into_step_input

from tests.api.test_schemathesis import SKIPPED, InTestWSGI

SEQUENCES = 10
STEPS = 8
CHECKS = [
    st_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
    openapi_checks.object_level_authorization,
]
PAIRS = {"shops": ("retailer_user_a", "retailer_user_b"), "vendors": ("vendor_user_1", "vendor_user_2")}
# The details each side of a pair owns an object of, so the peer must be refused it.
OWNED_DETAILS = {
    "shops": {"/api/v1/orders/{id}/", "/api/v1/sales-lines/{id}/", "/api/v1/retailers/{id}/", "/api/v1/jobs/{id}/"},
    "vendors": {
        "/api/v1/sales-lines/{id}/",
        "/api/v1/products/{id}/",
        "/api/v1/vendors/{id}/",
        "/api/v1/stock-levels/{id}/",
        "/api/v1/stock-movements/{id}/",
        "/api/v1/purchase-orders/{id}/",
        "/api/v1/jobs/{id}/",
    },
}
DETAIL = re.compile(r"^(/api/v1/[a-z-]+/)\d+/$")


def _pair_schema(tmp_path, tokens: dict[str, str], owner: str, peer: str, app=None):
    """The schema with a Web Fuzzing Commons document naming both callers: `owner` makes every call, `peer`
    is asked for what the owner read."""
    document = tmp_path / f"{owner}-{peer}.json"
    document.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Token {tokens[name]}"}]}
                    for name in (owner, peer)
                ]
            }
        )
    )
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"wfc": {"path": str(document), "user": owner, "peers": [owner, peer]}},
            # Valid requests only: a sequence goes on from answers, and a 400 ends a chain. Bad input is the other
            # schemathesis test's, and tests/api/test_body_properties.py's.
            "generation": {"mode": "positive"},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app or InTestWSGI(), config=config)
    # Reads: what a peer may be shown. Writes as the owner are the other test's (each caller, every operation).
    schema = schema.include(method="GET")
    for method, path in SKIPPED:
        schema = schema.exclude(method=method, path=path)
    return schema


@dataclass
class CountingWSGI(InTestWSGI):
    """The in-test application, noting each detail read the peer's token made and what it was answered."""

    peer_token: str = ""
    peer_details: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def __call__(self, environ, start_response):
        def noting_start_response(status, headers, *args):
            match = DETAIL.match(environ["PATH_INFO"])
            if match and environ.get("HTTP_AUTHORIZATION") == f"Token {self.peer_token}":
                self.peer_details.append((match.group(1) + "{id}/", int(status.split()[0])))
            return start_response(status, headers, *args)

        return super().__call__(environ, noting_start_response)


@pytest.fixture
def distinct_ids(db):
    """Ids that no other number in an answer shares: the check counts an id as listed for the peer when any value
    in the peer's list equals it (a count of 1, a line number 1), and then never asks the peer for the object.
    Each table's ids start at their own ten thousand, before the marketplace is made."""
    from django.db import connection

    from retailiq.catalog.models import Product, Vendor
    from retailiq.inventory.models import PurchaseOrder, StockLevel, StockMovement
    from retailiq.orders.models import Order, OrderLine
    from retailiq.registry.models import Job
    from retailiq.retailers.models import Retailer

    models = [Retailer, Order, OrderLine, Product, Vendor, StockLevel, StockMovement, PurchaseOrder, Job]
    with connection.cursor() as cursor:
        for number, model in enumerate(models, start=1):
            table, start = model._meta.db_table, 10_000 * number + 700
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start])


@pytest.fixture
def owned_objects(distinct_ids, marketplace):
    """Besides the orders, lines and shops the marketplace gives each shop: for each vendor its stock, a stock
    movement and a purchase order, and for each of the four callers a job it started."""
    from retailiq.inventory.models import PurchaseOrder, StockMovement
    from retailiq.registry.models import Job
    from tests import factories as f

    warehouse = marketplace.order_a.warehouse
    for number, (vendor, product) in enumerate(
        [(marketplace.vendor_1, marketplace.product_1), (marketplace.vendor_2, marketplace.product_2)], start=1
    ):
        f.StockLevelFactory(product=product, warehouse=warehouse, on_hand=40 + number)
        StockMovement.objects.create(
            product=product, warehouse=warehouse, moved_on=dt.date(2026, 3, number), quantity=5 * number, kind="receipt"
        )
        PurchaseOrder.objects.create(
            number=f"PO-{number}", vendor=vendor, warehouse=warehouse, status="sent", ordered_on=dt.date(2026, 3, 1)
        )
    for attr in ("retailer_user_a", "retailer_user_b", "vendor_user_1", "vendor_user_2"):
        user = getattr(marketplace, attr)
        Job.objects.create(
            kind="score", capability="forecasting", idempotency_key=f"owned-{user.username}", requested_by=user
        )
    return marketplace


def _tokens(marketplace, pair: str) -> tuple[str, str, dict[str, str]]:
    owner, peer = (getattr(marketplace, attr) for attr in PAIRS[pair])
    tokens = {user.username: Token.objects.create(user=user).key for user in (owner, peer)}
    return owner.username, peer.username, tokens


def _sequences(schema):
    class Sequences(schema.as_state_machine()):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The recorder lets the stateful checks find the step a value came from (and who made it).
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

    return Sequences


BOUNDED = settings(
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_linked_sequences_keep_each_callers_objects_from_its_peer(db, owned_objects, tmp_path, pair):
    owner, peer, tokens = _tokens(owned_objects, pair)
    _sequences(_pair_schema(tmp_path, tokens, owner, peer)).run(
        settings=settings(BOUNDED, max_examples=SEQUENCES, stateful_step_count=STEPS)
    )


def _walk_every_list_to_its_detail(schema) -> None:
    """One pass over the state machine's list → detail links, as its own steps take them: the list asked as the
    owner without filters, then the detail with an id the link extracts from that list, checked with CHECKS."""
    Sequences = _sequences(schema)
    links = [
        link
        for transitions in Sequences._transitions.operations.values()
        for link in transitions.outgoing
        if link.target.path in set().union(*OWNED_DETAILS.values())
        and "{" not in link.source.path
        and link.source.path == link.target.path.removesuffix("{id}/")
    ]
    assert links, "the state machine has no list → detail link"

    @settings(BOUNDED, max_examples=1)
    @given(data=st.data())
    def walk(data):
        machine = Sequences()
        for link in links:
            listing = data.draw(link.source.as_strategy(generation_mode=GenerationMode.POSITIVE))
            # Without filters, so the list holds what the owner owns.
            listing.query = {}
            machine.recorder.record_case(case=listing)
            listed = machine.step(StepInput.initial(listing))
            if listed.response.status_code != 200 or not listed.response.json()["results"]:
                continue  # nothing of this kind is the owner's
            follow = into_step_input(target=link.target, link=link, modes=[GenerationMode.POSITIVE])(listed)
            # The link's use of the listed id is a weighted coin (it explores other ids too); ask until it uses it.
            step = next((step for step in (data.draw(follow) for _ in range(50)) if step.is_applied), None)
            assert step is not None, f"{link.full_name} never used an id from the list"
            machine.recorder.record_case(
                parent_id=step.transition.parent_id,
                transition=step.transition,
                case=step.case,
                is_transition_applied=True,
            )
            machine.step(step)

    walk()


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_the_peer_is_refused_each_object_the_owner_reads_through_a_link(db, owned_objects, tmp_path, pair):
    owner, peer, tokens = _tokens(owned_objects, pair)
    app = CountingWSGI(peer_token=tokens[peer])
    _walk_every_list_to_its_detail(_pair_schema(tmp_path, tokens, owner, peer, app))
    asked = {path for path, _ in app.peer_details}
    # The check ran: the peer was asked for an object of each kind its owner holds, and refused every one.
    assert asked >= OWNED_DETAILS[pair], f"never asked as the peer: {OWNED_DETAILS[pair] - asked}"
    assert {status for _, status in app.peer_details} <= {403, 404}, app.peer_details


def test_the_walk_catches_a_detail_that_leaks(db, owned_objects, tmp_path, monkeypatch):
    """The negative control: with the order detail reading every shop's orders (the list still scoped, as when a
    detail view forgets its selector), the walk must fail on the order detail, by the object-level check.
    A leak in the list as well would make the order look shared by design: that one is the permission matrix's."""
    from retailiq.orders.api import OrderViewSet
    from retailiq.orders.models import Order

    scoped = OrderViewSet.get_queryset
    monkeypatch.setattr(
        OrderViewSet, "get_queryset", lambda view: Order.objects.all() if view.action == "retrieve" else scoped(view)
    )
    owner, peer, tokens = _tokens(owned_objects, "shops")
    with pytest.raises(FailureGroup) as failure:
        _walk_every_list_to_its_detail(_pair_schema(tmp_path, tokens, owner, peer))
    assert "shop_b_owner` received the `Order` that `shop_a_owner` owns" in str(failure.value.exceptions)
