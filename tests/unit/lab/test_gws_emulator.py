# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the GWS emulator's pure helpers: auth, routing, permissions, sessions, faults."""

import base64

import pytest

import gws_emulator as emulator


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


# Passwords ---------------------------------------------------------------------------------------

def test_password_hash_verifies():
    stored = emulator.hash_password("lab-admin-password", iterations=1000)
    assert emulator.verify_password("lab-admin-password", stored)


def test_password_hash_rejects_wrong_password():
    stored = emulator.hash_password("lab-admin-password", iterations=1000)
    assert not emulator.verify_password("lab-admin-passwordX", stored)


def test_password_hash_is_salted():
    assert emulator.hash_password("same", iterations=1000) != emulator.hash_password("same", iterations=1000)


def test_password_hash_does_not_contain_password():
    assert "secret-value" not in emulator.hash_password("secret-value", iterations=1000)


@pytest.mark.parametrize("stored", [None, "", "plain-text", "md5$1$00$00", "pbkdf2-sha256$x$00$00",
                                    "pbkdf2-sha256$10$zz$00"])
def test_password_verify_rejects_malformed_hash(stored):
    assert not emulator.verify_password("anything", stored)


# Basic auth --------------------------------------------------------------------------------------

def test_basic_auth_parses_credentials():
    assert emulator.parse_basic_auth(basic("lab-admin", "pa:ss")) == ("lab-admin", "pa:ss")


@pytest.mark.parametrize("header", [
    None, "", "Bearer abc", "Basic", "Basic !!!notbase64",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic " + base64.b64encode(b":password-without-user").decode(),
    "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
])
def test_basic_auth_rejects_invalid_header(header):
    assert emulator.parse_basic_auth(header) is None


# Routing and permissions -------------------------------------------------------------------------

@pytest.mark.parametrize("path, name, params", [
    ("/api/v2/me", "me", {}),
    ("/api/v2/me/", "me", {}),
    ("/api/v2/me/settings", "my_groups", {}),
    ("/api/v2/me/settings/interaction-workspace", "my_group", {"group": "interaction-workspace"}),
    ("/api/v2/users", "users", {}),
    ("/api/v2/users/abc", "user", {"user_id": "abc"}),
    ("/api/v2/users/abc/settings", "user_groups", {"user_id": "abc"}),
    ("/api/v2/users/abc/settings/interaction-workspace-recents", "user_group",
     {"user_id": "abc", "group": "interaction-workspace-recents"}),
    ("/api/v2/users/abc/settings/a%2Fb", "user_group", {"user_id": "abc", "group": "a/b"}),
    ("/api/v2/settings", "cc_groups", {}),
    ("/api/v2/settings/corporate-favorites", "cc_group", {"group": "corporate-favorites"}),
])
def test_match_route_known_paths(path, name, params):
    route, found = emulator.match_route(path)
    assert route is not None
    assert route.name == name
    assert found == params


@pytest.mark.parametrize("path", ["/", "/api/v1/me", "/api/v2/users/a/b", "/api/v2/settings/a/b", "/api/v2/meX"])
def test_match_route_unknown_paths(path):
    route, params = emulator.match_route(path)
    assert route is None
    assert params == {}


ADMIN = {"id": "admin-id", "roles": {"ROLE_ADMIN"}}
AGENT = {"id": "agent-id", "roles": {"ROLE_AGENT"}}


@pytest.mark.parametrize("route, user, params, allowed", [
    ("users", ADMIN, {}, True),
    ("cc_group", ADMIN, {"group": "g"}, True),
    ("user_group", ADMIN, {"user_id": "agent-id", "group": "g"}, True),
    ("me", AGENT, {}, True),
    ("my_group", AGENT, {"group": "g"}, True),
    ("user_groups", AGENT, {"user_id": "agent-id"}, True),
    ("user_group", AGENT, {"user_id": "agent-id", "group": "g"}, True),
    ("user_group", AGENT, {"user_id": "other-id", "group": "g"}, False),
    ("user", AGENT, {"user_id": "agent-id"}, False),
    ("users", AGENT, {}, False),
    ("cc_groups", AGENT, {}, False),
    ("cc_group", AGENT, {"group": "g"}, False),
])
def test_permissions(route, user, params, allowed):
    assert emulator.is_permitted(route, user, params) is allowed


# Fields and bodies -------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({}, None),
    ({"fields": ["*"]}, "*"),
    ({"fields": ["id,userName"]}, ["id", "userName"]),
    ({"fields": ["id", "userName,*"]}, "*"),
    ({"fields": [""]}, "*"),
])
def test_parse_fields(query, expected):
    assert emulator.parse_fields(query) == expected


def test_select_fields_keeps_requested_names():
    assert emulator.select_fields({"id": 1, "userName": "a", "x": 2}, ["id", "missing"]) == {"id": 1}


def test_setting_key_returns_text():
    assert emulator.setting_key({"id": 42}, "id") == "42"


@pytest.mark.parametrize("setting, status_code", [
    ({}, emulator.STATUS_MISSING_PARAMETER),
    ({"name": ""}, emulator.STATUS_INVALID_PARAMETER),
    ({"name": True}, emulator.STATUS_INVALID_PARAMETER),
    ({"name": ["a"]}, emulator.STATUS_INVALID_PARAMETER),
    ({"name": None}, emulator.STATUS_INVALID_PARAMETER),
])
def test_setting_key_rejects_invalid_key(setting, status_code):
    with pytest.raises(emulator.ApiError) as error:
        emulator.setting_key(setting, "name")
    assert error.value.status_code == status_code
    assert error.value.http_status == 400


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff", b'"text"'])
def test_parse_json_object_rejects_non_objects(body):
    with pytest.raises(emulator.ApiError) as error:
        emulator.parse_json_object(body)
    assert error.value.status_code == emulator.STATUS_INVALID_PARAMETER


def test_api_error_body_has_envelope():
    error = emulator.ApiError(404, emulator.STATUS_NOT_FOUND, "Setting not found")
    assert error.body() == {"statusCode": 6, "statusMessage": "Setting not found"}


# Sessions and CSRF -------------------------------------------------------------------------------

def test_session_store_returns_created_session():
    store = emulator.SessionStore()
    session = store.create()
    assert store.get(session.id) is session


def test_session_store_unknown_id():
    assert emulator.SessionStore().get("UNKNOWN") is None


def test_session_expires_after_idle_timeout():
    clock = FakeClock()
    store = emulator.SessionStore(timeout=10, clock=clock)
    session = store.create()
    clock.now += 11
    assert store.get(session.id) is None
    assert len(store) == 0


def test_session_use_extends_lifetime():
    clock = FakeClock()
    store = emulator.SessionStore(timeout=10, clock=clock)
    session = store.create()
    clock.now += 8
    assert store.get(session.id) is session
    clock.now += 8
    assert store.get(session.id) is session


def test_session_store_evicts_least_recently_used():
    clock = FakeClock()
    store = emulator.SessionStore(max_sessions=2, clock=clock)
    first = store.create()
    clock.now += 1
    second = store.create()
    clock.now += 1
    store.get(first.id)
    clock.now += 1
    store.create()
    assert store.get(second.id) is None
    assert store.get(first.id) is first


def test_sessions_have_distinct_tokens():
    store = emulator.SessionStore()
    assert store.create().csrf_token != store.create().csrf_token


def test_csrf_token_valid_only_for_its_session():
    store = emulator.SessionStore()
    session = store.create()
    other = store.create()
    assert emulator.csrf_token_valid(session, session.csrf_token)
    assert not emulator.csrf_token_valid(session, other.csrf_token)
    assert not emulator.csrf_token_valid(session, None)
    assert not emulator.csrf_token_valid(None, session.csrf_token)


@pytest.mark.parametrize("header, expected", [
    ("JSESSIONID=ABC123", "ABC123"),
    ("theme=dark; JSESSIONID=ABC123; other=1", "ABC123"),
    ("theme=dark", None),
    (None, None),
    ("", None),
])
def test_session_id_from_cookie(header, expected):
    assert emulator.session_id_from_cookie(header) == expected


# Faults and resources ----------------------------------------------------------------------------

def test_faults_off_by_default():
    faults = emulator.Faults()
    assert not faults.enabled
    assert all(faults.pick() is None for _pick in range(100))


@pytest.mark.parametrize("option, fault", [("error_rate", "error"), ("throttle_rate", "throttle"), ("drop_rate", "drop")])
def test_faults_rate_one_always_fires(option, fault):
    faults = emulator.Faults(**{option: 1.0})
    assert faults.enabled
    assert all(faults.pick() == fault for _pick in range(50))


def test_faults_rate_is_roughly_honoured():
    faults = emulator.Faults(error_rate=0.25, seed=7)
    errors = sum(1 for _pick in range(4000) if faults.pick() == "error")
    assert 800 < errors < 1200


@pytest.mark.parametrize("options", [{"error_rate": 1.5}, {"drop_rate": -0.1}, {"latency_ms": -1},
                                     {"error_rate": 0.6, "throttle_rate": 0.6}])
def test_faults_reject_invalid_options(options):
    with pytest.raises(ValueError):
        emulator.Faults(**options)


def test_user_resource_never_contains_password():
    user = {"id": "abc", "user_name": "lab-agent", "password": "pbkdf2-sha256$1$00$00", "first_name": "Lab",
            "last_name": None, "email_address": "a@example.net", "roles": {"ROLE_B", "ROLE_A"}, "enabled": True,
            "contact_center_id": "cc"}
    resource = emulator.user_resource(user, "http://127.0.0.1:8090/api/v2")
    assert "password" not in resource
    assert "pbkdf2" not in repr(resource)
    assert resource["roles"] == ["ROLE_A", "ROLE_B"]
    assert "lastName" not in resource
    assert resource["uri"] == "http://127.0.0.1:8090/api/v2/users/abc"
    assert resource["path"] == "/users/abc"


def test_group_path_quotes_group_name():
    assert emulator.group_path("user", "abc", "a b/c") == "/users/abc/settings/a%20b%2Fc"
    assert emulator.group_path("contact-center", "cc", "corporate-favorites") == "/settings/corporate-favorites"


def test_lab_users_have_32_hex_ids_and_one_admin():
    assert all(len(user.id) == 32 and int(user.id, 16) >= 0 for user in emulator.LAB_USERS)
    assert [user.user_name for user in emulator.LAB_USERS if emulator.ADMIN_ROLE in user.roles] == ["lab-admin"]


# Switchable fault rules ----------------------------------------------------------------------------

def test_fault_rule_fires_after_skip_and_up_to_count():
    plan = emulator.FaultPlan(seed=1)
    plan.replace([emulator.FaultRule("error", methods=["DELETE"], skip=2, count=2)])
    fired = [plan.pick("DELETE", "/api/v2/users/a/settings/g") is not None for _request in range(6)]
    assert fired == [False, False, True, True, False, False]


def test_fault_rule_selects_method_and_path():
    plan = emulator.FaultPlan()
    plan.replace([emulator.FaultRule("drop", methods=["DELETE"], path="/users/owner-1/")])
    assert plan.pick("GET", "/api/v2/users/owner-1/settings/g") is None
    assert plan.pick("DELETE", "/api/v2/users/owner-2/settings/g") is None
    assert plan.pick("DELETE", "/api/v2/users/owner-1/settings/g").kind == "drop"


def test_fault_rules_tried_in_order():
    plan = emulator.FaultPlan()
    plan.replace([emulator.FaultRule("throttle", count=1), emulator.FaultRule("error", status=503, count=1)])
    assert [plan.pick("GET", "/api/v2/me").kind for _request in range(2)] == ["throttle", "error"]
    assert plan.pick("GET", "/api/v2/me") is None
    assert [rule["fired"] for rule in plan.describe()] == [1, 1]


def test_fault_rule_defaults():
    assert emulator.FaultRule("error").status == 500
    assert emulator.FaultRule("throttle").retry_after == 1
    assert emulator.FaultRule("timeout").delay_s == 5.0


@pytest.mark.parametrize("data", [
    {"kind": "explode"},
    {"kind": "error", "status": 404},
    {"kind": "throttle", "status": 503},
    {"kind": "error", "rate": 2},
    {"kind": "error", "count": -1},
    {"kind": "error", "methods": ["PATCH"]},
    {"kind": "error", "after": True},
    {"kind": "timeout", "delay_s": 600},
    {"kind": "drop", "colour": "red"},
    {"methods": ["GET"]},
    ["error"],
])
def test_fault_rule_rejects_invalid_fields(data):
    with pytest.raises(ValueError):
        emulator.FaultRule.from_dict(data)


def test_session_store_records_issued_tokens():
    store = emulator.SessionStore()
    sessions = [store.create() for _session in range(3)]
    assert list(store.issued_tokens) == [session.csrf_token for session in sessions]
    assert list(store.issued_session_ids) == [session.id for session in sessions]
