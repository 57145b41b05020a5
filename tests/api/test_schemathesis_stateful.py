"""The API as schemathesis' state machine walks it: sequences of reads joined by the links it infers between
operations (a list's ids feed the detail), run as one caller of a pair with the other named as its peer, one pair
two shops and the other two vendors, with the use-after-free, resource-availability and object-level-authorization
checks. Seeded and bounded: ten sequences of eight steps per pair.

Known gap: on these runs schemathesis' object_level_authorization check asked the peer nothing (it found no read
it counts as the owner's object), so this test alone does not prove isolation between the two callers; the
permission matrix (tests/security/test_permission_matrix.py) does, for every URL and both sides of each pair."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

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


def _pair_schema(tmp_path, tokens: dict[str, str], owner: str, peer: str):
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
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", InTestWSGI(), config=config)
    # Reads: what a peer may be shown. Writes as the owner are the other test's (each caller, every operation).
    schema = schema.include(method="GET")
    for method, path in SKIPPED:
        schema = schema.exclude(method=method, path=path)
    return schema


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_linked_sequences_keep_each_callers_objects_from_its_peer(db, marketplace, tmp_path, pair):
    owner_attr, peer_attr = PAIRS[pair]
    owner, peer = getattr(marketplace, owner_attr), getattr(marketplace, peer_attr)
    tokens = {user.username: Token.objects.create(user=user).key for user in (owner, peer)}
    schema = _pair_schema(tmp_path, tokens, owner.username, peer.username)

    class Sequences(schema.as_state_machine()):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The recorder lets the stateful checks find the step a value came from (and who made it).
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)

    Sequences.run(
        settings=settings(
            max_examples=SEQUENCES,
            stateful_step_count=STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
