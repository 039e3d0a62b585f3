# SPDX-License-Identifier: GPL-3.0-or-later
"""Emulator of the Genesys Web Services (GWS) 8.5 REST API subset that the gdpr.gws collection uses.

GWS is proprietary, so the lab serves this stand-in on 127.0.0.1:8090. It keeps users, settings
groups and settings in the lab's real Cassandra tables (keyspace sipfs, see schema.cql) and
follows the documented GWS behaviour:

- HTTP Basic authentication against sipfs.users; users with role ROLE_ADMIN may do everything,
  other users only GET /api/v2/me and their own settings.
- Every JSON response carries `statusCode` (0 success, 1 missing parameter, 2 invalid parameter,
  3 forbidden, 4 internal error, 5 no permission, 6 not found) and `statusMessage` when non-zero.
- CSRF protection (on unless --no-csrf): each GET response carries X-CSRF-HEADER and
  X-CSRF-TOKEN for the HTTP session (cookie JSESSIONID); POST, PUT and DELETE without that
  cookie and token get HTTP 403 with the plain-text body "Missing or invalid Csrf token".
- Routes: /api/v2/me, /api/v2/users[/{id}], /api/v2/users/{id}/settings[/{group}],
  /api/v2/me/settings[/{group}] and the contact-center groups under /api/v2/settings[/{group}].
- HTTPS with --tls-cert and --tls-key; authentication and TLS towards Cassandra with
  --cassandra-username, --cassandra-password-file and --cassandra-ca (the secure lab).
- Fault injection: the --fault-* options at start-up, and with --lab-control the rules of
  FaultRule, switched per test through PUT /lab/faults (loopback clients only).

Run: python tests/lab/gws_emulator.py --port 8090 --cassandra-port 9042 --access-log FILE
The access log has method, path, status, size and duration only: no query string, no body and
no header values, because bodies and keys may hold personal data.
"""

import argparse
import base64
import binascii
import collections
import hashlib
import hmac
import http.cookies
import json
import logging
import os
import random
import re
import secrets
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

LOG = logging.getLogger("gws_emulator")
ACCESS_LOG = logging.getLogger("gws_emulator.access")

# The lab's single contact center; seed.py stores contact-center settings under this owner id.
CONTACT_CENTER_ID = "8d0e1d7c-5b7a-4b4e-9f3e-2c1a0b9d6e11"
USER_SCOPE = "user"
CONTACT_CENTER_SCOPE = "contact-center"
DEFAULT_KEY_ATTRIBUTE = "name"
ADMIN_ROLE = "ROLE_ADMIN"
AGENT_ROLE = "ROLE_AGENT"

# GWS 8.5 statusCode values.
STATUS_OK = 0
STATUS_MISSING_PARAMETER = 1
STATUS_INVALID_PARAMETER = 2
STATUS_FORBIDDEN = 3
STATUS_INTERNAL_ERROR = 4
STATUS_NO_PERMISSION = 5
STATUS_NOT_FOUND = 6

CSRF_HEADER_NAME = "X-CSRF-TOKEN"
CSRF_FAILURE_BODY = "Missing or invalid Csrf token"
SESSION_COOKIE = "JSESSIONID"
MODIFYING_METHODS = ("POST", "PUT", "DELETE")
MAX_BODY_BYTES = 1024 * 1024

PASSWORD_HASH_SCHEME = "pbkdf2-sha256"
PASSWORD_HASH_ITERATIONS = 20000


class LabUser:
    """A fixed GWS user that the lab creates; the password is public lab data."""

    def __init__(self, user_id, user_name, password, first_name, last_name, roles):
        self.id = user_id
        self.user_name = user_name
        self.password = password
        self.first_name = first_name
        self.last_name = last_name
        self.roles = roles

    @property
    def email_address(self):
        return "%s@lab.example.net" % self.user_name


LAB_USERS = (
    LabUser("5f0e4c2a9b7d41c6a8e3d2b1c0f9e8a7", "lab-admin", "lab-admin-password", "Lab", "Admin",
            (ADMIN_ROLE,)),
    LabUser("7c3a1e9f2d4b4a8c9e6f0b1d2c3a4e5f", "lab-agent", "lab-agent-password", "Lab", "Agent",
            (AGENT_ROLE,)),
)


# ---------------------------------------------------------------------------------------------
# Pure helpers (unit-tested in tests/unit/lab/).
# ---------------------------------------------------------------------------------------------

def hash_password(password, salt=None, iterations=PASSWORD_HASH_ITERATIONS):
    """Return a salted PBKDF2-SHA256 hash of `password` as 'pbkdf2-sha256$iterations$salt$hash'."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "%s$%d$%s$%s" % (PASSWORD_HASH_SCHEME, iterations, salt.hex(), digest.hex())


def verify_password(password, stored):
    """Return True if `password` matches the hash `stored`; False for any malformed hash."""
    if not stored or password is None:
        return False
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != PASSWORD_HASH_SCHEME:
        return False
    try:
        iterations = int(parts[1])
        salt = bytes.fromhex(parts[2])
        expected = bytes.fromhex(parts[3])
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


def parse_basic_auth(header):
    """Return (user name, password) from an Authorization header value, or None if not Basic."""
    if not header:
        return None
    scheme, _separator, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user_name, separator, password = decoded.partition(":")
    if not separator or not user_name:
        return None
    return user_name, password


class Route:
    """One URL pattern of the API and the HTTP methods it allows."""

    def __init__(self, name, pattern, methods):
        self.name = name
        self.regex = re.compile("^" + pattern + "$")
        self.methods = methods


SEGMENT = r"(?P<%s>[^/]+)"
ROUTES = (
    Route("me", r"/api/v2/me", ("GET",)),
    Route("my_groups", r"/api/v2/me/settings", ("GET", "POST")),
    Route("my_group", r"/api/v2/me/settings/" + SEGMENT % "group", ("GET", "POST", "PUT", "DELETE")),
    Route("users", r"/api/v2/users", ("GET", "POST")),
    Route("user", r"/api/v2/users/" + SEGMENT % "user_id", ("GET",)),
    Route("user_groups", r"/api/v2/users/" + SEGMENT % "user_id" + "/settings", ("GET", "POST")),
    Route("user_group", r"/api/v2/users/" + SEGMENT % "user_id" + "/settings/" + SEGMENT % "group",
          ("GET", "POST", "PUT", "DELETE")),
    Route("cc_groups", r"/api/v2/settings", ("GET", "POST")),
    Route("cc_group", r"/api/v2/settings/" + SEGMENT % "group", ("GET", "POST", "PUT", "DELETE")),
)


def match_route(path):
    """Return (Route, parameters) for a URL path, or (None, {}) when no route matches.

    Path segments are percent-decoded after matching, so an encoded '/' stays inside its segment.
    One trailing slash is ignored.
    """
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    for route in ROUTES:
        match = route.regex.match(path)
        if match:
            return route, {name: unquote(value) for name, value in match.groupdict().items()}
    return None, {}


def is_permitted(route_name, user, params):
    """Return True if `user` may call the route: admins always, others /me and their own settings."""
    if ADMIN_ROLE in user["roles"]:
        return True
    if route_name in ("me", "my_groups", "my_group"):
        return True
    if route_name in ("user_groups", "user_group"):
        return params.get("user_id") == user["id"]
    return False


def parse_fields(query):
    """Return the requested field names from the `fields` query parameter.

    None means no `fields` parameter (lists return URIs), "*" means every field.
    """
    values = query.get("fields")
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if not names or "*" in names:
        return "*"
    return names


def select_fields(resource, fields):
    """Return `resource` restricted to `fields` ('*' or None keeps every field)."""
    if fields is None or fields == "*":
        return resource
    return {name: resource[name] for name in fields if name in resource}


def setting_key(setting, key_attribute):
    """Return the key of a setting object as text; raise ApiError when it is absent or invalid."""
    if key_attribute not in setting:
        raise ApiError(400, STATUS_MISSING_PARAMETER, "Missing parameter: %s" % key_attribute)
    key = setting[key_attribute]
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise ApiError(400, STATUS_INVALID_PARAMETER,
                       "Invalid parameter: %s must be a string" % key_attribute)
    key = str(key)
    if not key:
        raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: %s is empty" % key_attribute)
    return key


def parse_json_object(body):
    """Decode a request body that must be one JSON object; raise ApiError otherwise."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, STATUS_INVALID_PARAMETER, "Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(400, STATUS_INVALID_PARAMETER, "Request body must be a JSON object")
    return data


class ApiError(Exception):
    """An API failure returned as HTTP `http_status` with the GWS statusCode envelope."""

    def __init__(self, http_status, status_code, message, headers=()):
        super().__init__(message)
        self.http_status = http_status
        self.status_code = status_code
        self.message = message
        self.headers = list(headers)

    def body(self):
        return {"statusCode": self.status_code, "statusMessage": self.message}


class Session:
    """An HTTP session: its JSESSIONID, its CSRF token and when it was last used (monotonic s)."""

    def __init__(self, session_id, csrf_token, last_used):
        self.id = session_id
        self.csrf_token = csrf_token
        self.last_used = last_used


class SessionStore:
    """Thread-safe HTTP sessions with an idle timeout and a cap on how many are kept.

    The CSRF token is created with the session and lives as long as it does, as in GWS.
    When the cap is reached the least recently used session is dropped.
    """

    def __init__(self, timeout=1800.0, max_sessions=10000, clock=time.monotonic):
        self.timeout = timeout
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions = {}
        self._lock = threading.Lock()
        # Every CSRF token and session id handed out, newest last, so that leak tests can look for them
        # (GET /lab/tokens).
        self.issued_tokens = collections.deque(maxlen=10000)
        self.issued_session_ids = collections.deque(maxlen=10000)

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def get(self, session_id):
        """Return the live session with this id and mark it used, or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_used > self.timeout:
                del self._sessions[session_id]
                return None
            session.last_used = now
            return session

    def create(self):
        """Create and return a new session with a fresh CSRF token."""
        session = Session(secrets.token_hex(16).upper(), str(uuid.uuid4()), self._clock())
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                oldest = min(self._sessions.values(), key=lambda item: item.last_used)
                del self._sessions[oldest.id]
            self._sessions[session.id] = session
            self.issued_tokens.append(session.csrf_token)
            self.issued_session_ids.append(session.id)
        return session

    def expire_all(self):
        """Forget every session, as a GWS restart would."""
        with self._lock:
            self._sessions.clear()


def csrf_token_valid(session, token):
    """Return True if `token` is the CSRF token of `session` (constant-time comparison)."""
    if session is None or not token:
        return False
    return hmac.compare_digest(session.csrf_token.encode("utf-8"), token.encode("utf-8"))


def session_id_from_cookie(header):
    """Return the JSESSIONID value from a Cookie header, or None."""
    if not header:
        return None
    cookies = http.cookies.SimpleCookie()
    try:
        cookies.load(header)
    except http.cookies.CookieError:
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None


class Faults:
    """Fault injection consulted once per request; every fault is off by default.

    latency_ms delays each request. error_rate, throttle_rate and drop_rate are probabilities
    (0 to 1) of returning HTTP 500, returning HTTP 429, or closing the connection without a response.
    """

    def __init__(self, latency_ms=0.0, error_rate=0.0, throttle_rate=0.0, drop_rate=0.0, seed=None):
        for name, rate in (("error_rate", error_rate), ("throttle_rate", throttle_rate), ("drop_rate", drop_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError("%s must be between 0 and 1, got %r" % (name, rate))
        if error_rate + throttle_rate + drop_rate > 1.0:
            raise ValueError("the fault rates add up to more than 1")
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative, got %r" % latency_ms)
        self.latency_ms = latency_ms
        self.error_rate = error_rate
        self.throttle_rate = throttle_rate
        self.drop_rate = drop_rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def enabled(self):
        return bool(self.latency_ms or self.error_rate or self.throttle_rate or self.drop_rate)

    def pick(self):
        """Return the fault for one request: None, 'error', 'throttle' or 'drop'."""
        if not (self.error_rate or self.throttle_rate or self.drop_rate):
            return None
        with self._lock:
            draw = self._random.random()
        if draw < self.error_rate:
            return "error"
        if draw < self.error_rate + self.throttle_rate:
            return "throttle"
        if draw < self.error_rate + self.throttle_rate + self.drop_rate:
            return "drop"
        return None


FAULT_KINDS = ("error", "throttle", "drop", "timeout", "csrf_expiry", "cookie_loss")
ERROR_STATUSES = (500, 502, 503, 504)
# A reverse proxy in front of GWS sends 502 and 503 itself, with a plain-text body and no statusCode.
PROXY_ERROR_TEXT = {502: "Bad Gateway", 503: "Service Unavailable"}
_RULE_FIELDS = ("kind", "methods", "path", "rate", "skip", "count", "status", "retry_after", "delay_s", "after")


class FaultRule:
    """One switchable fault for the requests it selects, for example "the next two DELETEs get HTTP 503".

    kind is what happens:
      error        HTTP `status` (500 by default; 502 and 503 come with a plain-text proxy body)
      throttle     HTTP 429 with Retry-After: `retry_after` (seconds or an HTTP date, default 1)
      drop         close the connection without a response
      timeout      wait `delay_s` seconds before responding, so that the client's read times out
      csrf_expiry  expire every HTTP session first, so the request's CSRF token is no longer valid
      cookie_loss  answer normally, but tell the client to delete its JSESSIONID cookie
    A request is selected when its method is in `methods` (all when empty) and its path contains
    `path` (any path when empty). The first `skip` selected requests pass; after that the rule fires
    with probability `rate`, at most `count` times (no limit when count is None). With after=True,
    drop and timeout apply the request first and then lose or delay the response.
    """

    def __init__(self, kind, methods=(), path="", rate=1.0, skip=0, count=None, status=None, retry_after=None,
                 delay_s=None, after=False):
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be one of %s, got %r" % (", ".join(FAULT_KINDS), kind))
        if not isinstance(methods, (list, tuple)) or not all(m in ("GET", "POST", "PUT", "DELETE") for m in methods):
            raise ValueError("methods must be a list of GET, POST, PUT and DELETE")
        if not isinstance(path, str):
            raise ValueError("path must be a string")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be a number between 0 and 1, got %r" % (rate,))
        for name, value in (("skip", skip), ("count", count)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError("%s must be a whole number of 0 or more, got %r" % (name, value))
        if status is not None and (kind != "error" or status not in ERROR_STATUSES):
            raise ValueError("status is for kind error and must be one of %s" % ", ".join(map(str, ERROR_STATUSES)))
        if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, (int, float, str))):
            raise ValueError("retry_after must be a number of seconds or an HTTP date")
        if delay_s is not None and (isinstance(delay_s, bool) or not isinstance(delay_s, (int, float))
                                    or not 0 <= delay_s <= 120):
            raise ValueError("delay_s must be between 0 and 120 seconds, got %r" % (delay_s,))
        if after and kind not in ("drop", "timeout"):
            raise ValueError("after applies to drop and timeout only")
        self.kind = kind
        self.methods = tuple(methods)
        self.path = path
        self.rate = float(rate)
        self.skip = skip or 0
        self.count = count
        self.status = status
        if kind == "error" and status is None:
            self.status = 500
        self.retry_after = retry_after
        if kind == "throttle" and retry_after is None:
            self.retry_after = 1
        self.delay_s = float(delay_s) if delay_s is not None else None
        if kind == "timeout" and delay_s is None:
            self.delay_s = 5.0
        self.after = bool(after)
        self.selected = 0
        self.fired = 0

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise ValueError("each rule must be a JSON object")
        unknown = sorted(set(data) - set(_RULE_FIELDS))
        if unknown:
            raise ValueError("unknown rule fields: %s" % ", ".join(unknown))
        if "kind" not in data:
            raise ValueError("each rule needs a kind")
        return cls(**data)

    def to_dict(self):
        data = {name: getattr(self, name) for name in _RULE_FIELDS}
        data["methods"] = list(self.methods)
        data.update(selected=self.selected, fired=self.fired)
        return data

    def selects(self, method, path):
        return (not self.methods or method in self.methods) and self.path in path


class FaultPlan:
    """The switchable fault rules of a running emulator, set through PUT /lab/faults.

    Rules are tried in order for each API request; the first one that fires wins.
    """

    def __init__(self, seed=None):
        self._rules = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def replace(self, rules):
        with self._lock:
            self._rules = list(rules)

    def describe(self):
        with self._lock:
            return [rule.to_dict() for rule in self._rules]

    def pick(self, method, path):
        """Return the rule that fires for this request, or None."""
        with self._lock:
            for rule in self._rules:
                if not rule.selects(method, path):
                    continue
                rule.selected += 1
                if rule.selected <= rule.skip:
                    continue
                if rule.count is not None and rule.fired >= rule.count:
                    continue
                if rule.rate < 1.0 and self._random.random() >= rule.rate:
                    continue
                rule.fired += 1
                return rule
        return None


def user_path(user_id):
    return "/users/%s" % quote(user_id, safe="")


def group_path(scope, owner_id, group_name):
    if scope == CONTACT_CENTER_SCOPE:
        return "/settings/%s" % quote(group_name, safe="")
    return "%s/settings/%s" % (user_path(owner_id), quote(group_name, safe=""))


def user_resource(user, base_url):
    """Return the public GWS representation of a user row (never the password)."""
    resource = {
        "id": user["id"],
        "userName": user["user_name"],
        "firstName": user["first_name"],
        "lastName": user["last_name"],
        "emailAddress": user["email_address"],
        "roles": sorted(user["roles"]),
        "enabled": user["enabled"],
        "contactCenterId": user["contact_center_id"],
        "path": user_path(user["id"]),
    }
    resource["uri"] = base_url + resource["path"]
    return {name: value for name, value in resource.items() if value is not None}


def group_resource(scope, owner_id, group, base_url):
    """Return the GWS representation of a settings group row."""
    path = group_path(scope, owner_id, group["group_name"])
    return {
        "name": group["group_name"],
        "displayName": group["display_name"] or group["group_name"],
        "key": group["key_attribute"] or DEFAULT_KEY_ATTRIBUTE,
        "uri": base_url + path,
        "path": path,
    }


# ---------------------------------------------------------------------------------------------
# Storage in Cassandra.
# ---------------------------------------------------------------------------------------------

USER_COLUMNS = ("id", "user_name", "password", "first_name", "last_name", "email_address", "roles",
                "enabled", "contact_center_id")


def ensure_lab_users(session, keyspace, contact_center_id=CONTACT_CENTER_ID):
    """Insert or overwrite the fixed lab users (lab-admin, lab-agent) in keyspace.users."""
    statement = session.prepare(
        "INSERT INTO %s.users (%s) VALUES (%s)" % (keyspace, ", ".join(USER_COLUMNS), ", ".join("?" * len(USER_COLUMNS))))
    for user in LAB_USERS:
        session.execute(statement, (
            user.id, user.user_name, hash_password(user.password), user.first_name, user.last_name,
            user.email_address, set(user.roles), True, contact_center_id))


class CassandraStore:
    """Users, settings groups and settings in the lab tables, through prepared statements."""

    def __init__(self, session, keyspace, contact_center_id=CONTACT_CENTER_ID):
        self.session = session
        self.keyspace = keyspace
        self.contact_center_id = contact_center_id
        self._user_ids_by_name = {}
        self._last_user_scan = 0.0
        self._users_lock = threading.Lock()
        self._verified = {}
        self._verified_lock = threading.Lock()

        def prepare(text):
            return session.prepare(text.replace("{ks}", keyspace))

        columns = ", ".join(USER_COLUMNS)
        self._select_user = prepare("SELECT %s FROM {ks}.users WHERE id = ?" % columns)
        self._select_users = "SELECT %s FROM %s.users" % (columns, keyspace)
        self._select_user_names = "SELECT id, user_name FROM %s.users" % keyspace
        self._insert_user = prepare("INSERT INTO {ks}.users (%s) VALUES (%s)" % (columns, ", ".join("?" * len(USER_COLUMNS))))
        self._select_groups = prepare(
            "SELECT group_name, display_name, key_attribute FROM {ks}.settings_groups WHERE scope = ? AND owner_id = ?")
        self._select_group = prepare(
            "SELECT group_name, display_name, key_attribute FROM {ks}.settings_groups "
            "WHERE scope = ? AND owner_id = ? AND group_name = ?")
        self._insert_group = prepare(
            "INSERT INTO {ks}.settings_groups (scope, owner_id, group_name, display_name, key_attribute) "
            "VALUES (?, ?, ?, ?, ?) IF NOT EXISTS")
        self._delete_group = prepare(
            "DELETE FROM {ks}.settings_groups WHERE scope = ? AND owner_id = ? AND group_name = ?")
        self._prepare_settings_statements(prepare)

    def _prepare_settings_statements(self, prepare):
        """Prepare the statements on the settings table; profile_store.ProfileStore replaces them."""
        self._delete_group_settings = prepare(
            "DELETE FROM {ks}.settings WHERE scope = ? AND owner_id = ? AND group_name = ?")
        self._select_settings = prepare(
            "SELECT setting_key, value FROM {ks}.settings WHERE scope = ? AND owner_id = ? AND group_name = ?")
        self._insert_setting = prepare(
            "INSERT INTO {ks}.settings (scope, owner_id, group_name, setting_key, value) "
            "VALUES (?, ?, ?, ?, ?) IF NOT EXISTS")
        self._update_setting = prepare(
            "UPDATE {ks}.settings SET value = ? "
            "WHERE scope = ? AND owner_id = ? AND group_name = ? AND setting_key = ? IF EXISTS")
        self._delete_setting = prepare(
            "DELETE FROM {ks}.settings WHERE scope = ? AND owner_id = ? AND group_name = ? AND setting_key = ? IF EXISTS")

    @staticmethod
    def _user_dict(row):
        user = dict(zip(USER_COLUMNS, row))
        user["roles"] = set(user["roles"] or ())
        if user["enabled"] is None:
            user["enabled"] = True
        return user

    # Users -----------------------------------------------------------------------------------

    def get_user(self, user_id):
        row = self.session.execute(self._select_user, (user_id,)).one()
        return self._user_dict(row) if row is not None else None

    def list_users(self):
        for row in self.session.execute(self._select_users):
            yield self._user_dict(row)

    def _scan_user_names(self):
        names = {}
        for row in self.session.execute(self._select_user_names):
            if row[1]:
                names[row[1]] = row[0]
        self._user_ids_by_name = names
        self._last_user_scan = time.monotonic()

    def find_user_by_name(self, user_name):
        """Return the user with this user name, or None.

        sipfs.users is keyed by id, so the store keeps a name-to-id map and rescans the table on
        a miss, at most once a second.
        """
        with self._users_lock:
            user_id = self._user_ids_by_name.get(user_name)
            if user_id is None and time.monotonic() - self._last_user_scan >= 1.0:
                self._scan_user_names()
                user_id = self._user_ids_by_name.get(user_name)
        if user_id is None:
            return None
        user = self.get_user(user_id)
        if user is None or user["user_name"] != user_name:
            with self._users_lock:
                self._user_ids_by_name.pop(user_name, None)
            return None
        return user

    def authenticate(self, user_name, password):
        """Return the enabled user whose password matches, or None."""
        user = self.find_user_by_name(user_name)
        if user is None or not user["enabled"]:
            return None
        cache_key = (user["id"], user["password"], hashlib.sha256(password.encode("utf-8")).digest())
        with self._verified_lock:
            verified = self._verified.get(cache_key)
        if verified is None:
            verified = verify_password(password, user["password"])
            with self._verified_lock:
                if len(self._verified) >= 1024:
                    self._verified.clear()
                self._verified[cache_key] = verified
        return user if verified else None

    def create_user(self, user):
        """Insert a new user; raise ApiError if the user name exists already."""
        if self.find_user_by_name(user["user_name"]) is not None:
            raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: userName already exists")
        self.session.execute(self._insert_user, tuple(user[column] for column in USER_COLUMNS))
        with self._users_lock:
            self._user_ids_by_name[user["user_name"]] = user["id"]

    # Settings groups and settings -----------------------------------------------------------------

    def list_groups(self, scope, owner_id):
        rows = self.session.execute(self._select_groups, (scope, owner_id))
        return [{"group_name": row[0], "display_name": row[1], "key_attribute": row[2]} for row in rows]

    def get_group(self, scope, owner_id, group_name):
        row = self.session.execute(self._select_group, (scope, owner_id, group_name)).one()
        if row is None:
            return None
        return {"group_name": row[0], "display_name": row[1], "key_attribute": row[2]}

    def create_group(self, scope, owner_id, group_name, display_name, key_attribute):
        """Create a settings group; return False if it exists already."""
        result = self.session.execute(self._insert_group, (scope, owner_id, group_name, display_name, key_attribute))
        return result.was_applied

    def delete_group(self, scope, owner_id, group_name):
        """Delete a settings group and all of its settings."""
        self.session.execute(self._delete_group_settings, (scope, owner_id, group_name))
        self.session.execute(self._delete_group, (scope, owner_id, group_name))

    def list_settings(self, scope, owner_id, group_name):
        return [(row[0], row[1]) for row in self.session.execute(self._select_settings, (scope, owner_id, group_name))]

    def create_setting(self, scope, owner_id, group_name, key, value):
        """Insert a setting; return False if one with this key exists already."""
        result = self.session.execute(self._insert_setting, (scope, owner_id, group_name, key, value))
        return result.was_applied

    def update_setting(self, scope, owner_id, group_name, key, value):
        """Replace an existing setting's value; return False if it does not exist."""
        result = self.session.execute(self._update_setting, (value, scope, owner_id, group_name, key))
        return result.was_applied

    def delete_setting(self, scope, owner_id, group_name, key):
        """Delete one setting; return False if it does not exist."""
        result = self.session.execute(self._delete_setting, (scope, owner_id, group_name, key))
        return result.was_applied


# ---------------------------------------------------------------------------------------------
# HTTP server.
# ---------------------------------------------------------------------------------------------

class Response:
    """A response to send: HTTP status, JSON object or text body, extra headers."""

    def __init__(self, status, body, headers=()):
        self.status = status
        self.body = body
        self.headers = list(headers)


def ok(**fields):
    body = {"statusCode": STATUS_OK}
    body.update(fields)
    return Response(200, body)


class EmulatorServer(ThreadingHTTPServer):
    """Threaded HTTP server holding the emulator's store, sessions and options."""

    daemon_threads = True
    # SO_REUSEADDR lets a restarted emulator bind while old connections are in TIME_WAIT; on
    # Linux it never lets two listeners share a port, so a busy port still fails to bind.
    allow_reuse_address = True

    def __init__(self, address, store, csrf_enabled=True, faults=None, session_timeout=1800.0, ssl_context=None,
                 lab_control=False, fault_seed=None):
        super().__init__(address, GwsRequestHandler)
        self.store = store
        self.csrf_enabled = csrf_enabled
        self.faults = faults or Faults()
        self.fault_plan = FaultPlan(fault_seed)
        self.fault_seed = fault_seed
        self.sessions = SessionStore(timeout=session_timeout)
        self.ssl_context = ssl_context
        self.lab_control = lab_control
        host, port = self.server_address[:2]
        self.base_url = "%s://%s:%d/api/v2" % ("https" if ssl_context else "http", host, port)
        self._active = 0
        self._active_lock = threading.Condition()
        self._request_numbers = iter(range(1, sys.maxsize))
        self._number_lock = threading.Lock()

    def finish_request(self, request, client_address):
        """Serve one connection; with TLS, the handshake runs here, in the connection's own thread."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(GwsRequestHandler.timeout)
        try:
            tls_socket = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            # A client that rejects the lab certificate ends here; the tests expect that.
            LOG.info("TLS handshake with %s failed: %s", client_address[0], getattr(exc, "reason", None) or
                     type(exc).__name__)
            return
        try:
            super().finish_request(tls_socket, client_address)
        finally:
            self.shutdown_request(tls_socket)

    def next_request_number(self):
        with self._number_lock:
            return next(self._request_numbers)

    def request_started(self):
        with self._active_lock:
            self._active += 1

    def request_finished(self):
        with self._active_lock:
            self._active -= 1
            self._active_lock.notify_all()

    def wait_for_requests(self, timeout):
        """Wait until no request is in progress or `timeout` seconds pass; return the count left."""
        deadline = time.monotonic() + timeout
        with self._active_lock:
            while self._active and time.monotonic() < deadline:
                self._active_lock.wait(deadline - time.monotonic())
            return self._active


class GwsRequestHandler(BaseHTTPRequestHandler):
    """Serves one connection; every method goes through _dispatch."""

    protocol_version = "HTTP/1.1"
    server_version = "GWS-Emulator/1.0"
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 60
    # Headers and body go out in two writes. With Nagle's algorithm the second write waits for
    # the client's delayed ACK, which cost about 40 ms per request on Linux.
    disable_nagle_algorithm = True
    # Session of the request being served, set by _respond and read by _send.
    _session = None
    # Set by an injected cookie_loss fault: the response instructs the client to delete JSESSIONID.
    _lose_cookie = False
    # True while serving the lab control API, which has no session and no CSRF headers.
    _is_control = False

    def do_GET(self):  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    # The base class logs the request line, which contains the query string: log nothing
    # here and write the access log in _dispatch instead.
    def log_request(self, code="-", size="-"):
        pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        # Only send_error() reaches this; its arguments may contain the raw request line.
        code = args[0] if args and isinstance(args[0], int) else "-"
        LOG.warning("rejected a malformed HTTP request from %s with code %s", self.client_address[0], code)

    # Request flow ------------------------------------------------------------------------------

    def _dispatch(self, method):
        server = self.server
        number = server.next_request_number()
        started = time.monotonic()
        path = urlsplit(self.path).path
        self._session = None
        self._lose_cookie = False
        self._is_control = False
        server.request_started()
        status = "-"
        size = 0
        try:
            response = self._respond(method, path, number)
            if response is None:
                self.close_connection = True
                status = "dropped"
            else:
                status, size = self._send(method, response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            status = "client-gone"
        finally:
            server.request_finished()
            ACCESS_LOG.info('%s "%s %s" %s %s %.1fms', self.client_address[0], method, path, status, size,
                            (time.monotonic() - started) * 1000.0)

    def _respond(self, method, path, number):
        """Return the Response for one request, or None to drop the connection."""
        server = self.server
        try:
            body = self._read_body()
        except ApiError as exc:
            self.close_connection = True
            return Response(exc.http_status, exc.body(), exc.headers)

        if path == "/lab" or path.startswith("/lab/"):
            self._is_control = True
            return self._control(method, path, body)

        faults = server.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000.0)
        fault = faults.pick()
        if fault == "drop":
            return None
        if fault == "error":
            return Response(500, {"statusCode": STATUS_INTERNAL_ERROR, "statusMessage": "Internal error (injected fault)"})
        if fault == "throttle":
            return Response(429, {"statusCode": STATUS_INTERNAL_ERROR, "statusMessage": "Too many requests (injected fault)"},
                            [("Retry-After", "1")])

        rule = server.fault_plan.pick(method, path)
        if rule is None:
            return self._serve(method, path, number, body)
        LOG.info("request %d %s %s: injected fault %s%s", number, method, path, rule.kind,
                 " after serving" if rule.after else "")
        if rule.after:
            response = self._serve(method, path, number, body)
            if rule.kind == "drop":
                return None
            time.sleep(rule.delay_s)
            return response
        if rule.kind == "drop":
            return None
        if rule.kind == "error":
            if rule.status in PROXY_ERROR_TEXT:
                response = Response(rule.status, PROXY_ERROR_TEXT[rule.status])
            else:
                response = Response(rule.status, {"statusCode": STATUS_INTERNAL_ERROR,
                                                  "statusMessage": "Internal error (injected fault)"})
            if rule.retry_after is not None:
                response.headers.append(("Retry-After", str(rule.retry_after)))
            return response
        if rule.kind == "throttle":
            return Response(429, {"statusCode": STATUS_INTERNAL_ERROR, "statusMessage": "Too many requests (injected fault)"},
                            [("Retry-After", str(rule.retry_after))])
        if rule.kind == "timeout":
            time.sleep(rule.delay_s)
        elif rule.kind == "csrf_expiry":
            server.sessions.expire_all()
        elif rule.kind == "cookie_loss":
            self._lose_cookie = True
        return self._serve(method, path, number, body)

    def _serve(self, method, path, number, body):
        """Return the Response of the API itself: CSRF check, authentication, route."""
        server = self.server
        session = server.sessions.get(session_id_from_cookie(self.headers.get("Cookie")))
        self._session = session
        if method in MODIFYING_METHODS and server.csrf_enabled:
            if not csrf_token_valid(session, self.headers.get(CSRF_HEADER_NAME)):
                LOG.info("request %d %s %s rejected: %s", number, method, path, _csrf_failure_reason(self.headers, session))
                return Response(403, CSRF_FAILURE_BODY)

        try:
            user = self._authenticate()
            route, params = match_route(path)
            if route is None:
                raise ApiError(404, STATUS_NOT_FOUND, "Resource not found")
            if method not in route.methods:
                raise ApiError(405, STATUS_INVALID_PARAMETER, "Method %s is not allowed on this resource" % method,
                               [("Allow", ", ".join(route.methods))])
            if not is_permitted(route.name, user, params):
                raise ApiError(403, STATUS_NO_PERMISSION, "No permission")
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            handler = getattr(self, "_route_" + route.name)
            return handler(method, params, query, body, user)
        except ApiError as exc:
            return Response(exc.http_status, exc.body(), exc.headers)
        except Exception as exc:  # pylint: disable=broad-except
            # Driver and server errors become statusCode 4, as GWS reports Cassandra failures.
            # Only the exception type is logged: driver messages can echo bound values.
            LOG.error("request %d %s %s failed with %s", number, method, path, type(exc).__name__)
            LOG.debug("request %d traceback", number, exc_info=True)
            return Response(500, {"statusCode": STATUS_INTERNAL_ERROR, "statusMessage": "Internal error"})

    def _control(self, method, path, body):
        """Serve the lab control API: fault switches and issued CSRF tokens (loopback clients only).

        GET /lab/faults shows the faults, PUT /lab/faults replaces them with a JSON object
        (latency_ms, error_rate, throttle_rate, drop_rate and rules, see FaultRule), DELETE /lab/faults
        turns every fault off, and GET /lab/tokens lists the CSRF tokens and session ids handed out so far.
        """
        server = self.server
        if not server.lab_control:
            return Response(404, {"statusCode": STATUS_NOT_FOUND, "statusMessage": "Resource not found"})
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            return Response(403, {"statusCode": STATUS_FORBIDDEN, "statusMessage": "The lab API is for loopback clients only"})

        if path == "/lab/tokens" and method == "GET":
            return ok(csrfTokens=list(server.sessions.issued_tokens), sessionIds=list(server.sessions.issued_session_ids))
        if path != "/lab/faults" or method not in ("GET", "PUT", "DELETE"):
            return Response(404, {"statusCode": STATUS_NOT_FOUND, "statusMessage": "Resource not found"})
        if method == "DELETE":
            server.faults = Faults(seed=server.fault_seed)
            server.fault_plan.replace([])
            LOG.info("lab control: every fault turned off")
        elif method == "PUT":
            try:
                data = parse_json_object(body)
                unknown = sorted(set(data) - {"latency_ms", "error_rate", "throttle_rate", "drop_rate", "rules"})
                if unknown:
                    raise ValueError("unknown fields: %s" % ", ".join(unknown))
                rules = data.get("rules") or []
                if not isinstance(rules, list):
                    raise ValueError("rules must be a list")
                faults = Faults(data.get("latency_ms", 0.0), data.get("error_rate", 0.0), data.get("throttle_rate", 0.0),
                                data.get("drop_rate", 0.0), server.fault_seed)
                rules = [FaultRule.from_dict(rule) for rule in rules]
            except ApiError as exc:
                return Response(exc.http_status, exc.body())
            except (TypeError, ValueError) as exc:
                return Response(400, {"statusCode": STATUS_INVALID_PARAMETER, "statusMessage": "Invalid faults: %s" % exc})
            server.faults = faults
            server.fault_plan.replace(rules)
            LOG.info("lab control: faults set (latency %s ms, %d rules)", faults.latency_ms, len(rules))
        faults = server.faults
        return ok(latency_ms=faults.latency_ms, error_rate=faults.error_rate, throttle_rate=faults.throttle_rate,
                  drop_rate=faults.drop_rate, rules=server.fault_plan.describe())

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise ApiError(411, STATUS_INVALID_PARAMETER, "Chunked request bodies are not supported; send Content-Length")
        length_header = self.headers.get("Content-Length")
        if not length_header:
            return b""
        try:
            length = int(length_header)
        except ValueError as exc:
            raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid Content-Length") from exc
        if length < 0:
            raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid Content-Length")
        if length > MAX_BODY_BYTES:
            raise ApiError(413, STATUS_INVALID_PARAMETER, "Request body is larger than %d bytes" % MAX_BODY_BYTES)
        return self.rfile.read(length)

    def _authenticate(self):
        credentials = parse_basic_auth(self.headers.get("Authorization"))
        user = None
        if credentials is not None:
            user = self.server.store.authenticate(*credentials)
        if user is None:
            LOG.info("authentication failed (%s)", "no Basic credentials" if credentials is None else "unknown user, "
                     "disabled user or wrong password")
            raise ApiError(401, STATUS_FORBIDDEN, "Authentication failed", [("WWW-Authenticate", 'Basic realm="GWS"')])
        return user

    def _send(self, method, response):
        """Write the response; every GET also gets the session cookie and CSRF headers."""
        headers = list(response.headers)
        if self._lose_cookie and not (method == "GET" and self._session is None):
            headers.append(("Set-Cookie", "%s=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                            % SESSION_COOKIE))
        if method == "GET" and not self._is_control:
            session = self._session
            if session is None:
                session = self.server.sessions.create()
                headers.append(("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (SESSION_COOKIE, session.id)))
            if self.server.csrf_enabled:
                headers.append(("X-CSRF-HEADER", CSRF_HEADER_NAME))
                headers.append(("X-CSRF-TOKEN", session.csrf_token))
        if isinstance(response.body, dict):
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
            content_type = "application/json;charset=UTF-8"
        else:
            payload = response.body.encode("utf-8")
            content_type = "text/plain;charset=UTF-8"
        self.send_response(response.status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        return response.status, len(payload)

    # Routes ----------------------------------------------------------------------------------

    def _route_me(self, method, params, query, body, user):  # pylint: disable=unused-argument
        return ok(user=user_resource(user, self.server.base_url))

    def _route_user(self, method, params, query, body, user):  # pylint: disable=unused-argument
        found = self.server.store.get_user(params["user_id"])
        if found is None:
            raise ApiError(404, STATUS_NOT_FOUND, "User not found")
        return ok(user=select_fields(user_resource(found, self.server.base_url), parse_fields(query)))

    def _route_users(self, method, params, query, body, user):  # pylint: disable=unused-argument
        if method == "POST":
            return self._create_user(body)
        base_url = self.server.base_url
        fields = parse_fields(query)
        # Any other query parameter filters by exact attribute value, e.g. ?userName=lab-agent.
        filters = {name: values[-1] for name, values in query.items() if name not in ("fields", "subresources")}
        resources = []
        for found in self.server.store.list_users():
            resource = user_resource(found, base_url)
            if all(_attribute_text(resource.get(name)) == value for name, value in filters.items()):
                resources.append(resource)
        resources.sort(key=lambda item: item["id"])
        if fields is None:
            return ok(uris=[resource["uri"] for resource in resources])
        return ok(users=[select_fields(resource, fields) for resource in resources])

    def _create_user(self, body):
        data = parse_json_object(body)
        for required in ("userName", "password"):
            if not data.get(required):
                raise ApiError(400, STATUS_MISSING_PARAMETER, "Missing parameter: %s" % required)
        text_fields = ("userName", "password", "firstName", "lastName", "emailAddress")
        for name in text_fields:
            if name in data and data[name] is not None and not isinstance(data[name], str):
                raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: %s must be a string" % name)
        if not isinstance(data.get("enabled", True), bool):
            raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: enabled must be true or false")
        roles = data.get("roles", [AGENT_ROLE])
        if not isinstance(roles, list) or not all(isinstance(role, str) and role for role in roles):
            raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: roles must be a list of strings")
        new_user = {
            "id": uuid.uuid4().hex,
            "user_name": data["userName"],
            "password": hash_password(data["password"]),
            "first_name": data.get("firstName"),
            "last_name": data.get("lastName"),
            "email_address": data.get("emailAddress"),
            "roles": set(roles),
            "enabled": data.get("enabled", True),
            "contact_center_id": self.server.store.contact_center_id,
        }
        self.server.store.create_user(new_user)
        LOG.info("created user %s", new_user["id"])
        path = user_path(new_user["id"])
        return ok(id=new_user["id"], uri=self.server.base_url + path, path=path)

    def _route_my_groups(self, method, params, query, body, user):
        return self._groups(method, USER_SCOPE, user["id"], query, body)

    def _route_user_groups(self, method, params, query, body, user):  # pylint: disable=unused-argument
        self._require_user(params["user_id"])
        return self._groups(method, USER_SCOPE, params["user_id"], query, body)

    def _route_cc_groups(self, method, params, query, body, user):  # pylint: disable=unused-argument
        return self._groups(method, CONTACT_CENTER_SCOPE, self.server.store.contact_center_id, query, body,
                            objects_by_default=True)

    def _route_my_group(self, method, params, query, body, user):  # pylint: disable=unused-argument
        return self._group(method, USER_SCOPE, user["id"], params["group"], body)

    def _route_user_group(self, method, params, query, body, user):  # pylint: disable=unused-argument
        self._require_user(params["user_id"])
        return self._group(method, USER_SCOPE, params["user_id"], params["group"], body)

    def _route_cc_group(self, method, params, query, body, user):  # pylint: disable=unused-argument
        return self._group(method, CONTACT_CENTER_SCOPE, self.server.store.contact_center_id, params["group"], body)

    def _require_user(self, user_id):
        if self.server.store.get_user(user_id) is None:
            raise ApiError(404, STATUS_NOT_FOUND, "User not found")

    def _groups(self, method, scope, owner_id, query, body, objects_by_default=False):
        """List (GET) or create (POST) the settings groups of one owner."""
        store = self.server.store
        if method == "POST":
            data = parse_json_object(body)
            name = data.get("name")
            if not name:
                raise ApiError(400, STATUS_MISSING_PARAMETER, "Missing parameter: name")
            key_attribute = data.get("key") or DEFAULT_KEY_ATTRIBUTE
            display_name = data.get("displayName") or name
            for field, value in (("name", name), ("key", key_attribute), ("displayName", display_name)):
                if not isinstance(value, str):
                    raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: %s must be a string" % field)
            if "/" in name:
                raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: name must not contain '/'")
            if not store.create_group(scope, owner_id, name, display_name, key_attribute):
                raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: settings group already exists")
            LOG.info("created %s settings group %s of owner %s", scope, name, owner_id)
            return ok()

        base_url = self.server.base_url
        resources = [group_resource(scope, owner_id, group, base_url) for group in store.list_groups(scope, owner_id)]
        fields = parse_fields(query)
        # GWS documents GET /api/v2/settings as returning group objects; user lists return URIs
        # unless `fields` is given.
        if fields is None and not objects_by_default:
            return ok(uris=[resource["uri"] for resource in resources])
        return ok(settings=[select_fields(resource, fields) for resource in resources])

    def _group(self, method, scope, owner_id, group_name, body):
        """Read, create, update or delete settings in one group."""
        store = self.server.store
        group = store.get_group(scope, owner_id, group_name)
        if group is None:
            raise ApiError(404, STATUS_NOT_FOUND, "Settings group not found")
        key_attribute = group["key_attribute"] or DEFAULT_KEY_ATTRIBUTE

        if method == "GET":
            settings = []
            for key, value in store.list_settings(scope, owner_id, group_name):
                try:
                    settings.append(json.loads(value))
                except (TypeError, ValueError):
                    LOG.warning("setting %s/%s/%s has a value that is not JSON; returning it as text",
                                owner_id, group_name, _key_digest(key))
                    settings.append(value)
            return ok(settings=settings)

        if method == "DELETE" and not body.strip():
            # NOTE: assumed GWS behaviour: DELETE without a body removes the whole group.
            store.delete_group(scope, owner_id, group_name)
            LOG.info("deleted %s settings group %s of owner %s", scope, group_name, owner_id)
            return ok()

        setting = parse_json_object(body)
        key = setting_key(setting, key_attribute)
        if method == "DELETE":
            # NOTE: the request form is assumed (no public GWS document shows it): DELETE on the
            # group with a JSON body that carries only the key attribute.
            if not store.delete_setting(scope, owner_id, group_name, key):
                raise ApiError(404, STATUS_NOT_FOUND, "Setting not found")
            LOG.info("deleted setting %s from %s group %s of owner %s", _key_digest(key), scope, group_name, owner_id)
            return ok()

        value = json.dumps(setting, ensure_ascii=False, separators=(",", ":"))
        if method == "POST":
            if not store.create_setting(scope, owner_id, group_name, key, value):
                raise ApiError(400, STATUS_INVALID_PARAMETER, "Invalid parameter: setting already exists")
            LOG.info("created setting %s in %s group %s of owner %s", _key_digest(key), scope, group_name, owner_id)
            return ok()
        if not store.update_setting(scope, owner_id, group_name, key, value):
            raise ApiError(404, STATUS_NOT_FOUND, "Setting not found")
        LOG.info("updated setting %s in %s group %s of owner %s", _key_digest(key), scope, group_name, owner_id)
        return ok()


def _csrf_failure_reason(headers, session):
    """Return why a modifying request failed the CSRF check, without any token or cookie value."""
    if session is None:
        if session_id_from_cookie(headers.get("Cookie")) is None:
            return "no JSESSIONID cookie"
        return "unknown or expired session"
    if not headers.get(CSRF_HEADER_NAME):
        return "missing %s header" % CSRF_HEADER_NAME
    return "wrong CSRF token for the session"


def _attribute_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _key_digest(key):
    """Return a short digest that identifies a setting key in logs; keys may be personal data."""
    return "key#" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# Start-up.
# ---------------------------------------------------------------------------------------------

def connect_cassandra(host, port, keyspace, wait_seconds, connect_options=None,
                      required_tables=("settings", "settings_groups", "users")):
    """Connect to Cassandra, retrying for `wait_seconds`; check the lab tables exist.

    connect_options are extra Cluster arguments, such as auth_provider and ssl_context for the secure lab.
    """
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable  # pylint: disable=import-outside-toplevel
    from cassandra.policies import WhiteListRoundRobinPolicy  # pylint: disable=import-outside-toplevel

    deadline = time.monotonic() + wait_seconds
    while True:
        profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([host]), request_timeout=30)
        cluster = Cluster([host], port=port, connect_timeout=5, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                          **(connect_options or {}))
        try:
            session = cluster.connect()
            break
        except NoHostAvailable as exc:
            cluster.shutdown()
            if time.monotonic() >= deadline:
                raise SystemExit("gws_emulator: cannot connect to Cassandra at %s:%d: %s" % (host, port, exc)) from exc
            LOG.info("Cassandra at %s:%d is not reachable yet; retrying", host, port)
            time.sleep(1)

    keyspace_meta = cluster.metadata.keyspaces.get(keyspace)
    missing = [table for table in required_tables
               if keyspace_meta is None or table not in keyspace_meta.tables]
    if missing:
        cluster.shutdown()
        raise SystemExit("gws_emulator: keyspace %s lacks the tables %s; create them with tests/lab/schema.cql "
                         "(or schema_alt.cql for the alternative layout)" % (keyspace, ", ".join(missing)))
    return cluster, session


def build_parser():
    parser = argparse.ArgumentParser(description="GWS 8.5 REST API emulator for the gdpr.gws test lab.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8090, help="HTTP port (default: %(default)s)")
    parser.add_argument("--cassandra-host", default="127.0.0.1", help="Cassandra contact point (default: %(default)s)")
    parser.add_argument("--cassandra-port", type=int, default=9042, help="Cassandra CQL port (default: %(default)s)")
    parser.add_argument("--cassandra-wait", type=float, default=30.0,
                        help="seconds to keep retrying the first Cassandra connection (default: %(default)s)")
    parser.add_argument("--keyspace", default="sipfs", help="keyspace of the settings tables (default: %(default)s)")
    parser.add_argument("--contact-center-id", default=CONTACT_CENTER_ID,
                        help="owner id of contact-center settings (default: %(default)s)")
    parser.add_argument("--access-log", help="file for the access log (method, path, status, duration)")
    parser.add_argument("--log-file", help="file for the application log (default: standard error)")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                        help="application log level (default: %(default)s)")
    parser.add_argument("--no-csrf", dest="csrf", action="store_false",
                        help="turn CSRF protection off (it is on by default, as in a hardened GWS)")
    parser.add_argument("--session-timeout", type=float, default=1800.0,
                        help="idle seconds after which an HTTP session and its CSRF token expire (default: %(default)s)")
    parser.add_argument("--create-lab-users", action="store_true",
                        help="insert the lab users lab-admin and lab-agent at start-up")
    parser.add_argument("--cassandra-username", help="Cassandra role, for a cluster with PasswordAuthenticator")
    parser.add_argument("--cassandra-password-file", help="file that contains the password of --cassandra-username")
    parser.add_argument("--cassandra-ca", help="CA certificate (PEM) for TLS to Cassandra; turns client TLS on")
    parser.add_argument("--tls-cert", help="certificate (PEM) to serve HTTPS with; needs --tls-key")
    parser.add_argument("--tls-key", help="private key (PEM) of --tls-cert")
    parser.add_argument("--settings-profile",
                        help="YAML or JSON settings profile of the gdpr.gws collection: store settings in its tables "
                             "and columns instead of keyspace.settings (see profile_alt.yml)")
    parser.add_argument("--lab-control", action="store_true",
                        help="serve the lab control API under /lab (fault switches, issued CSRF tokens) to "
                             "loopback clients; needs a loopback --host")
    faults = parser.add_argument_group("fault injection (all off by default)")
    faults.add_argument("--fault-latency-ms", type=float, default=0.0, help="delay added to every request, in ms")
    faults.add_argument("--fault-error-rate", type=float, default=0.0, help="share of requests that get HTTP 500 (0-1)")
    faults.add_argument("--fault-throttle-rate", type=float, default=0.0, help="share of requests that get HTTP 429 (0-1)")
    faults.add_argument("--fault-drop-rate", type=float, default=0.0,
                        help="share of requests whose connection is closed without a response (0-1)")
    faults.add_argument("--fault-seed", type=int, help="random seed for the fault draws")
    return parser


def configure_logging(log_file, level, access_log):
    handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The driver logs every reconnection attempt at WARNING; keep its errors only.
    logging.getLogger("cassandra").setLevel(logging.ERROR)

    ACCESS_LOG.propagate = False
    ACCESS_LOG.handlers[:] = []
    if access_log:
        access_handler = logging.FileHandler(access_log)
        access_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        ACCESS_LOG.addHandler(access_handler)
        ACCESS_LOG.setLevel(logging.INFO)
    else:
        ACCESS_LOG.addHandler(logging.NullHandler())


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging(args.log_file, args.log_level, args.access_log)
    try:
        faults = Faults(args.fault_latency_ms, args.fault_error_rate, args.fault_throttle_rate,
                        args.fault_drop_rate, args.fault_seed)
    except ValueError as exc:
        raise SystemExit("gws_emulator: invalid fault option: %s" % exc) from exc

    if args.lab_control and args.host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit("gws_emulator: --lab-control needs a loopback --host such as 127.0.0.1, got %s" % args.host)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("gws_emulator: give both --tls-cert and --tls-key, or neither")
    ssl_context = None
    if args.tls_cert:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise SystemExit("gws_emulator: cannot load --tls-cert %s and --tls-key: %s" % (args.tls_cert, exc)) from exc

    import lab_tls  # pylint: disable=import-outside-toplevel
    connect_options = lab_tls.cluster_options(args.cassandra_username, args.cassandra_password_file, args.cassandra_ca)
    settings_profile = None
    required_tables = ("settings", "settings_groups", "users")
    if args.settings_profile:
        import profile_store  # pylint: disable=import-outside-toplevel
        settings_profile = profile_store.load_profile_file(args.settings_profile)
        required_tables = profile_store.required_tables(settings_profile)
    cluster, session = connect_cassandra(args.cassandra_host, args.cassandra_port, args.keyspace, args.cassandra_wait,
                                         connect_options, required_tables)
    if args.create_lab_users:
        ensure_lab_users(session, args.keyspace, args.contact_center_id)
    if settings_profile is not None:
        store = profile_store.build_store(CassandraStore, session, args.keyspace, settings_profile,
                                          args.contact_center_id)
    else:
        store = CassandraStore(session, args.keyspace, args.contact_center_id)

    try:
        server = EmulatorServer((args.host, args.port), store, csrf_enabled=args.csrf, faults=faults,
                                session_timeout=args.session_timeout, ssl_context=ssl_context,
                                lab_control=args.lab_control, fault_seed=args.fault_seed)
    except OSError as exc:
        cluster.shutdown()
        raise SystemExit("gws_emulator: cannot listen on %s:%d: %s; stop the process that holds the port "
                         "or pass another --port" % (args.host, args.port, exc.strerror or exc)) from exc

    def request_stop(signum, frame):  # pylint: disable=unused-argument
        LOG.info("received signal %d; stopping", signum)
        # shutdown() waits for serve_forever() to return, so it must run in another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    LOG.info("GWS emulator listening on %s (pid %d, CSRF %s, faults %s, Cassandra %s:%d, keyspace %s)",
             server.base_url, os.getpid(), "on" if args.csrf else "off", "on" if faults.enabled else "off",
             args.cassandra_host, args.cassandra_port, args.keyspace)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        left = server.wait_for_requests(10.0)
        if left:
            LOG.warning("%d requests were still running at shutdown", left)
        server.server_close()
        cluster.shutdown()
        LOG.info("GWS emulator stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
