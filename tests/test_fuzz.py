"""Property-based fuzzing of every API operation against a live test server.

Schemathesis generates requests from the generated OpenAPI schema, both
valid ones and ones that break it, and sends them to the live server with
the owner's key (node routes with a node key). Every response must be
documented (status, content type, headers, body schema) and never a 5xx.
No request made with the owner's key may change the rows of another
reseller, even when the path names that reseller's user.

The run is bounded by example counts, not time. With 16 operations it took
about 80 seconds on SQLite and 90 on PostgreSQL on a 2-core machine, measured
with `pytest tests/test_fuzz.py`.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import AccountType, VpnUser
from tests.conftest import generate_schema, snapshot_reseller_data
from vpnapi import wireguard
from vpnapi.models import VpnServer

pytestmark = pytest.mark.fuzz

# Examples per operation and generation mode (valid and invalid data).
EXAMPLES_PER_OPERATION = 25
# Examples per operation and set of fixed path parameters (see fixed_path_parameters).
FIXED_PATH_EXAMPLES = 8

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    # The same examples in every run, so a CI failure can be replayed.
    derandomize=True,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fixed_path_parameters(reseller, other_reseller, make_user):
    """Create users and WireGuard keys for both resellers; return path parameters that name them.

    Generated identifiers almost never name a real user or key, so each
    operation on one user also runs with these: the owner's rows reach the
    success paths, and the other reseller's rows must return 404 and stay
    unchanged.
    """
    alice = make_user("alice", password="correct-horse-7", note="first customer")
    bob = make_user("bob", enable=False, account_type=AccountType.LEX)
    carol = make_user("outsider-carol", owner=other_reseller)
    dave = make_user("outsider-dave", owner=other_reseller, enable=False)
    alice_key, _ = wireguard.register_key(alice, "Zih9uV6qAh/QfA/3l7GPdqTcPyFDMVfqrim7v1fkGIk=")
    carol_key, _ = wireguard.register_key(carol, "yNk7sFV14Pl820qYGlotI5dGkSmZvXgkLZ5MR6Ajdc4=")
    return [
        # By id: the PUT runs may rename alice.
        {"identifier": str(alice.pk), "key_id": str(alice_key.pk)},
        {"identifier": str(bob.pk), "key_id": str(alice_key.pk)},
        {"identifier": str(carol.pk), "key_id": str(carol_key.pk)},
        {"identifier": carol.username, "key_id": str(carol_key.pk)},
        {"identifier": str(dave.pk), "key_id": str(carol_key.pk)},
        {"identifier": dave.username, "key_id": str(alice_key.pk)},
    ]


def _operations():
    """Return the schema's operations, deletions last and a user's keys before the user.

    The fixed users and keys must live through the other operations for the
    fixed path parameters to reach the success paths.
    """
    schema = schemathesis.openapi.from_dict(generate_schema())
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda operation: (operation.method.upper() == "DELETE", -operation.path.count("/")))


def _fuzz(operation, mode, base_url, session, headers, max_examples, **fixed):
    strategy = operation.as_strategy(generation_mode=mode, **fixed)

    @settings(FUZZ_SETTINGS, max_examples=max_examples)
    @given(case=strategy)
    def run(case):
        response = case.call(base_url=base_url, session=session, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.fixture
def node_key(db):
    server = VpnServer.objects.create(name="fuzz-node")
    return server.issue_node_key()


def test_fuzz_all_operations(live_server, api_key, node_key, other_reseller, fixed_path_parameters):
    operations = _operations()
    node_operations = [op for op in operations if op.path.startswith("/1.0/Node/")]
    reseller_operations = [op for op in operations if op not in node_operations]
    assert len(reseller_operations) >= 7
    assert len(node_operations) >= 2

    with requests.Session() as session:
        before = snapshot_reseller_data(other_reseller)
        assert len(before["accounts.VpnUser"]) == 2
        assert len(before["vpnapi.WireguardKey"]) == 1
        for operation in reseller_operations:
            _fuzz_operation(operation, live_server.url, session, {"API-KEY": api_key}, fixed_path_parameters)
        assert snapshot_reseller_data(other_reseller) == before

        # A node key may act on every reseller's users by design, so these
        # run after the other reseller's rows were compared.
        for operation in node_operations:
            _fuzz_operation(operation, live_server.url, session, {"API-KEY": node_key}, [])


def _fuzz_operation(operation, base_url, session, headers, fixed_parameters):
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _fuzz(operation, mode, base_url, session, headers, EXAMPLES_PER_OPERATION)
    names = [name for name in ("identifier", "key_id") if f"{{{name}}}" in operation.path]
    if not names:
        return
    for parameters in fixed_parameters:
        _fuzz(
            operation,
            GenerationMode.POSITIVE,
            base_url,
            session,
            headers,
            FIXED_PATH_EXAMPLES,
            path_parameters={name: parameters[name] for name in names},
        )


# --- Regressions: inputs that once made the API return 500 ----------------------

EXPIRY_MESSAGE = (
    "Send an ISO 8601 date-time with an offset such as 2030-01-31T23:59:59Z, "
    "Unix seconds such as 1896134399, or null; got {value}."
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_type", "²", "Send one of 1, 2, not '²'."),
        ("expires_at", "²", EXPIRY_MESSAGE.format(value="'²'")),
        ("expires_at", "9999-12-31T23:59:59-01:00", EXPIRY_MESSAGE.format(value="'9999-12-31T23:59:59-01:00'")),
        ("expires_at", "0001-01-01T00:00:00+01:00", EXPIRY_MESSAGE.format(value="'0001-01-01T00:00:00+01:00'")),
    ],
)
def test_create_user_rejects_unconvertible_value(api, reseller, field, value, message):
    response = api.post("/1.0/User", {field: value}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "success": "error",
        "error": "invalid",
        "message": f"Invalid request. {field}: {message}",
        "fields": {field: [message]},
    }
    assert not VpnUser.objects.filter(reseller=reseller).exists()


def test_update_user_rejects_expiry_out_of_range(api, make_user):
    user = make_user("range-check")

    response = api.put("/1.0/User/range-check", {"expires_at": "9999-12-31T23:59:59-01:00"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == ["expires_at"]
    user.refresh_from_db()
    assert user.expires_at is None
