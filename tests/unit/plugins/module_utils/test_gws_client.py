# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the GWS client and the erase loop: retries, Retry-After, CSRF refresh, not found, stops.

The client talks to a scripted HTTP server on 127.0.0.1 that sends the next response of its
script for each request, so every retry and refresh is exact and the tests need no lab.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils import _erase, _gws
from ansible_collections.gdpr.gws.plugins.module_utils._profile import load_profile

PASSWORD = 'client-test-password'
OK_ME = (200, {'X-CSRF-HEADER': 'X-CSRF-TOKEN', 'X-CSRF-TOKEN': 'token-1'}, {'statusCode': 0, 'user': {}})


class ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        status, headers, payload = self.server.script.pop(0) if self.server.script else (500, {}, 'script ended')
        data = json.dumps(payload).encode('utf-8') if isinstance(payload, dict) else payload.encode('utf-8')
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_DELETE = do_POST = do_PUT = _answer

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), ScriptedHandler)
    httpd.script = []
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def client_for(server, warnings, retries=3):
    url = 'http://127.0.0.1:%d' % server.server_address[1]
    return _gws.GwsClient(url, 'lab-admin', PASSWORD, retries=retries, backoff=0.01, warn=warnings.append)


def delete_args(profile):
    return (profile['requests'], 'user', 'owner-1', 'interaction-workspace-recents', 'id', '+442079460958')


@pytest.mark.parametrize('value, expected', [
    ('0', 0.0), ('2.5', 2.5), ('-3', 0.0), (' 7 ', 7.0), (None, None), ('soon', None), ('', None),
])
def test_retry_after_seconds(value, expected):
    assert _gws._retry_after_seconds(value) == expected


def test_retry_after_http_date():
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert 28 <= _gws._retry_after_seconds(future) <= 30
    assert _gws._retry_after_seconds(past) == 0.0


@pytest.mark.parametrize('text, expected', [
    ('Setting jane.doe@example.com not found', 'Setting *** not found'),
    ('No favorite +44 20 7946 0958 here', 'No favorite *** here'),
    ('Internal error 4', 'Internal error 4'),
    ('Missing or invalid Csrf token', 'Missing or invalid Csrf token'),
])
def test_scrub_removes_addresses_and_numbers(text, expected):
    assert _gws.scrub(text) == expected


def test_retries_429_and_5xx_then_succeeds(server):
    warnings = []
    server.script = [(429, {'Retry-After': '0'}, {'statusCode': 4}), (503, {}, 'Service Unavailable'),
                     (500, {}, {'statusCode': 4}), OK_ME]

    client_for(server, warnings).login()

    assert len(server.seen) == 4
    assert [w.split('returned ')[1].split(';')[0] for w in warnings] == ['HTTP 429', 'HTTP 503', 'HTTP 500']
    assert all(PASSWORD not in warning for warning in warnings)


def test_retry_after_is_capped(server):
    warnings = []
    server.script = [(429, {'Retry-After': '3600'}, {'statusCode': 4}), OK_ME]
    client = client_for(server, warnings)
    client.max_retry_after = 0.05

    client.login()

    assert 'in 0.1 s' in warnings[0]


def test_retries_exhausted_names_status(server):
    warnings = []
    server.script = [(503, {}, 'Service Unavailable')] * 3

    with pytest.raises(_gws.GwsError) as raised:
        client_for(server, warnings, retries=2).login()

    assert raised.value.http_status == 503
    assert raised.value.unavailable is True
    assert len(server.seen) == 3
    assert len(warnings) == 2


def test_unreachable_gws_is_unavailable():
    warnings = []
    client = _gws.GwsClient('http://127.0.0.1:1', 'lab-admin', PASSWORD, retries=1, backoff=0.01,
                            warn=warnings.append)

    with pytest.raises(_gws.GwsError) as raised:
        client.login()

    assert raised.value.unavailable is True
    assert 'failed after 2 attempts: ConnectionError' in str(raised.value)
    assert len(warnings) == 1


def test_status_code_checked_on_http_200(server):
    server.script = [(200, {}, {'statusCode': 4, 'statusMessage': 'Cassandra failed for jane.doe@example.com'})]

    with pytest.raises(_gws.GwsError) as raised:
        client_for(server, []).login()

    assert 'statusCode 4' in str(raised.value)
    assert 'jane.doe' not in str(raised.value)


def test_not_found_needs_status_code_6(server):
    profile = load_profile(None)
    server.script = [OK_ME, (404, {}, {'statusCode': 6, 'statusMessage': 'Setting not found'}),
                     (404, {}, '<html>Not Found</html>')]
    client = client_for(server, [])
    client.login()

    assert client.delete_setting(*delete_args(profile)) == 'not_found'
    with pytest.raises(_gws.GwsError) as raised:
        client.delete_setting(*delete_args(profile))
    assert 'without a JSON body' in str(raised.value)


def test_csrf_rejection_refreshes_once(server):
    profile = load_profile(None)
    warnings = []
    refreshed = (200, {'X-CSRF-HEADER': 'X-CSRF-TOKEN', 'X-CSRF-TOKEN': 'token-2'}, {'statusCode': 0, 'user': {}})
    server.script = [OK_ME, (403, {}, 'Missing or invalid Csrf token'), refreshed, (200, {}, {'statusCode': 0})]
    client = client_for(server, warnings)
    client.login()

    assert client.delete_setting(*delete_args(profile)) == 'deleted'
    tokens = [headers.get('X-CSRF-TOKEN') for method, path, headers, body in server.seen if method == 'DELETE']
    assert tokens == ['token-1', 'token-2']
    assert 'fetching a new token and retrying once' in warnings[0]


def test_csrf_rejected_twice_raises(server):
    profile = load_profile(None)
    rejected = (403, {}, 'Missing or invalid Csrf token')
    server.script = [OK_ME, rejected, OK_ME, rejected]
    client = client_for(server, [])
    client.login()

    with pytest.raises(_gws.GwsError) as raised:
        client.delete_setting(*delete_args(profile))

    assert 'freshly fetched CSRF token' in str(raised.value)
    assert raised.value.http_status == 403


class FakeClient(object):
    """A GWS client whose deletes fail with the given errors, in order, then succeed."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.deletes = 0

    def key_attribute(self, *args):
        return 'name'

    def delete_setting(self, *args):
        self.deletes += 1
        if self.errors:
            error = self.errors.pop(0)
            if error is not None:
                raise error
        return 'deleted'


def planned(count):
    pairs = []
    for index in range(count):
        match = {'scope': 'user', 'owner_id': 'owner-%d' % index, 'group': 'g', 'key': 'k%d' % index}
        pairs.append(({'setting_id': 'set-%d' % index}, match))
    return pairs


def test_erase_stops_when_gws_stays_unavailable():
    unavailable = _gws.GwsError('GET failed after 4 attempts: ConnectionError', unreachable=True)
    client = FakeClient([unavailable] * 10)

    outcome = _erase.erase(client, load_profile(None), planned(10))

    assert client.deletes == _erase.MAX_UNAVAILABLE_IN_A_ROW
    assert len(outcome.failed) == 3
    assert len(outcome.not_attempted) == 7
    assert 'unreachable or overloaded' in outcome.stop_reason


def test_erase_goes_on_after_single_failures():
    internal = _gws.GwsError('DELETE failed: HTTP 500, statusCode 4', http_status=500, status_code=4)
    unavailable = _gws.GwsError('DELETE failed: HTTP 503', http_status=503)
    client = FakeClient([internal, internal, internal, internal, unavailable, unavailable, None, unavailable])

    outcome = _erase.erase(client, load_profile(None), planned(10))

    assert client.deletes == 10
    assert len(outcome.failed) == 7
    assert len(outcome.deleted) == 3
    assert outcome.not_attempted == []
    assert outcome.stop_reason is None


def test_erase_stops_at_once_on_credentials():
    client = FakeClient([_gws.GwsError('DELETE: GWS rejected the credentials (HTTP 401)', http_status=401)])

    outcome = _erase.erase(client, load_profile(None), planned(5))

    assert client.deletes == 1
    assert len(outcome.not_attempted) == 4
    assert 'credentials' in outcome.stop_reason


def test_max_deletions_default():
    from ansible_collections.gdpr.gws.plugins.modules.personal_data import argument_spec  # pylint: disable=import-outside-toplevel

    assert argument_spec()['max_deletions']['default'] == 100
