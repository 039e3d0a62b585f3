# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client for the GWS 8.5 settings API: session, CSRF token, retries, reading and deleting settings.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import email.utils
import json
import re
import time
import traceback
import warnings

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.auth import HTTPBasicAuth
    HAS_REQUESTS = True
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HAS_REQUESTS = False

from ansible_collections.gdpr.gws.plugins.module_utils._profile import render_body, render_path

# GWS statusCode values (GWS 8.5.1 return values).
STATUS_OK = 0
STATUS_NOT_FOUND = 6

RETRY_HTTP_STATUSES = (429, 500, 502, 503, 504)
# Statuses that mean GWS as a whole is unavailable or overloaded, not that one request was wrong.
UNAVAILABLE_HTTP_STATUSES = (429, 502, 503, 504)
CSRF_REJECTION = 'csrf'

# A GWS message could quote the request; e-mail addresses and long digit runs are cut out of it.
_EMAIL_LIKE = re.compile(r'[^\s@"\'<>()]+@[^\s@"\'<>()]+')
_DIGIT_RUN = re.compile(r'\+?[0-9][0-9 ().-]{4,}[0-9]')


class GwsError(Exception):
    """GWS request failure; the message names the method and URL path, never a secret or a value."""

    def __init__(self, message, http_status=None, status_code=None, unreachable=False):
        super(GwsError, self).__init__(message)
        self.http_status = http_status
        self.status_code = status_code
        self.unreachable = unreachable

    @property
    def unavailable(self):
        """True when GWS itself could not serve the request (no connection, overloaded, gateway errors)."""
        return self.unreachable or self.http_status in UNAVAILABLE_HTTP_STATUSES


class GwsClient(object):
    """One authenticated GWS session that fetches and refreshes the CSRF token itself."""

    def __init__(self, base_url, username, password, headers=None, verify=True, timeout=30,
                 retries=3, backoff=1.0, max_retry_after=60, warn=None):
        self.base_url = base_url.rstrip('/')
        self.session = requests.Session()
        self.session.auth = HTTPBasicAuth(username, password)
        self.session.headers.update({'Accept': 'application/json'})
        self.session.headers.update(headers or {})
        self.verify = verify
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.warn = warn or (lambda message: None)
        self.csrf_header = None
        self._key_attributes = {}

    def _send(self, method, path, body=None):
        """Send one request, retrying connection errors, 429 and 5xx with back-off; return the response."""
        url = self.base_url + path
        data = json.dumps(body) if body is not None else None
        headers = {'Content-Type': 'application/json'} if body is not None else {}
        for attempt in range(self.retries + 1):
            try:
                with warnings.catch_warnings():
                    # validate_certs=false is reported once through module.warn, not per request.
                    warnings.simplefilter('ignore')
                    response = self.session.request(method, url, data=data, headers=headers,
                                                    verify=self.verify, timeout=self.timeout)
            except requests.exceptions.SSLError as error:
                raise GwsError('TLS error talking to GWS at %s: %s. Check ca_path and the server certificate, '
                               'or set validate_certs=false for a lab' % (self.base_url, _first_line(error)))
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as error:
                if attempt >= self.retries:
                    raise GwsError('%s %s at %s failed after %d attempts: %s'
                                   % (method, path, self.base_url, attempt + 1, type(error).__name__),
                                   unreachable=True)
                delay = self.backoff * (2 ** attempt)
                self.warn('GWS %s %s failed with %s; retry %d of %d in %.1f s'
                          % (method, path, type(error).__name__, attempt + 1, self.retries, delay))
                time.sleep(delay)
                continue
            except requests.exceptions.RequestException as error:
                # An invalid URL or header: every retry would fail the same way.
                raise GwsError('%s %s could not be sent to GWS at %s: %s'
                               % (method, path, self.base_url, type(error).__name__))

            if response.status_code in RETRY_HTTP_STATUSES and attempt < self.retries:
                delay = self._retry_delay(response, attempt)
                self.warn('GWS %s %s returned HTTP %d; retry %d of %d in %.1f s'
                          % (method, path, response.status_code, attempt + 1, self.retries, delay))
                time.sleep(delay)
                continue
            return response
        return response

    def _retry_delay(self, response, attempt):
        """Return the seconds to wait before a retry: Retry-After when GWS sent one, else exponential back-off.

        Retry-After is either seconds or an HTTP date; it is capped at max_retry_after.
        """
        retry_after = _retry_after_seconds(response.headers.get('Retry-After'))
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return self.backoff * (2 ** attempt)

    def _remember_csrf(self, response):
        header = response.headers.get('X-CSRF-HEADER')
        token = response.headers.get('X-CSRF-TOKEN')
        if header and token:
            if self.csrf_header and self.csrf_header != header:
                self.session.headers.pop(self.csrf_header, None)
            self.csrf_header = header
            self.session.headers[header] = token

    def request(self, method, path, body=None):
        """Send a request and return (HTTP status, JSON payload or None); refreshes CSRF once on a CSRF 403."""
        response = self._send(method, path, body)
        if method != 'GET' and _is_csrf_rejection(response):
            # GWS binds the token to the HTTP session, which expires or loses its cookie; one new GET
            # gives a new session and token. A second rejection would repeat, so it is not retried.
            self.warn('GWS rejected the CSRF token for %s %s; fetching a new token and retrying once'
                      % (method, path))
            self.login()
            response = self._send(method, path, body)
            if _is_csrf_rejection(response):
                raise GwsError('%s %s: GWS rejected a freshly fetched CSRF token (HTTP 403). Check that a proxy '
                               'between this host and GWS keeps the JSESSIONID cookie and the %s header'
                               % (method, path, self.csrf_header or 'CSRF'), http_status=403)
        if method == 'GET':
            self._remember_csrf(response)
        return response.status_code, _json_or_none(response)

    def login(self):
        """Check the credentials with GET /api/v2/me and pick up the CSRF header and session cookie."""
        status, payload = self.request('GET', '/api/v2/me')
        if status == 401:
            raise GwsError('GWS at %s rejected the credentials of gws_username (HTTP 401); check gws_username '
                           'and gws_password' % self.base_url, http_status=status)
        _check(status, payload, 'GET', '/api/v2/me')
        return payload.get('user') or {}

    def key_attribute(self, requests_profile, scope, owner_id, group, default):
        """Return the key attribute of a settings group, from the group list GWS returns."""
        cache_key = (scope, owner_id)
        if cache_key not in self._key_attributes:
            path = render_path(requests_profile[scope]['groups'], owner_id, group) + '?fields=*'
            status, payload = self.request('GET', path)
            if _is_not_found(payload):
                self._key_attributes[cache_key] = {}
            else:
                _check(status, payload, 'GET', path)
                groups = payload.get('settings') or []
                self._key_attributes[cache_key] = dict(
                    (g.get('name'), g.get('key') or default) for g in groups if isinstance(g, dict))
        return self._key_attributes[cache_key].get(group, default)

    def read_group(self, requests_profile, scope, owner_id, group):
        """Return the settings of one group as a list of dicts; an unknown group is an empty list."""
        path = render_path(requests_profile[scope]['read'], owner_id, group)
        status, payload = self.request('GET', path)
        if _is_not_found(payload):
            return []
        _check(status, payload, 'GET', path)
        settings = payload.get('settings')
        if not isinstance(settings, list):
            raise GwsError('GET %s returned no settings list' % path, http_status=status)
        return [s for s in settings if isinstance(s, dict)]

    def delete_setting(self, requests_profile, scope, owner_id, group, key_attribute, key):
        """Delete one setting; return 'deleted', or 'not_found' when GWS no longer has it."""
        template = requests_profile[scope]['delete']
        path = render_path(template['url'], owner_id, group)
        body = render_body(template['body'], key_attribute, key, owner_id, group)
        status, payload = self.request(template['method'], path, body)
        if _is_not_found(payload):
            return 'not_found'
        _check(status, payload, template['method'], path)
        return 'deleted'


def _retry_after_seconds(value):
    """Return a Retry-After header value in seconds (0 or more), or None when it is missing or invalid."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max((when - datetime.datetime.now(datetime.timezone.utc)).total_seconds(), 0.0)


def scrub(text):
    """Return text with e-mail addresses and phone-like digit runs replaced by '***'."""
    return _DIGIT_RUN.sub('***', _EMAIL_LIKE.sub('***', text))


def _first_line(error):
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


def _json_or_none(response):
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _is_not_found(payload):
    """Return True for GWS's "not found" (statusCode 6).

    A bare HTTP 404 without the GWS envelope, say from a proxy or a wrong gws_url, is an error:
    counting it as "already gone" would report data as erased that is still there.
    """
    return payload is not None and payload.get('statusCode') == STATUS_NOT_FOUND


def _is_csrf_rejection(response):
    return response.status_code == 403 and CSRF_REJECTION in (response.text or '')[:200].lower()


def _check(status, payload, method, path):
    """Raise GwsError unless the response is HTTP 2xx with statusCode 0."""
    if status == 401:
        raise GwsError('%s %s: GWS rejected the credentials (HTTP 401)' % (method, path), http_status=status)
    if payload is None:
        raise GwsError('%s %s returned HTTP %d without a JSON body' % (method, path, status), http_status=status)
    code = payload.get('statusCode')
    message = scrub(str(payload.get('statusMessage') or '')[:200])
    if not 200 <= status < 300 or code != STATUS_OK:
        hint = ''
        if code == 5 or status == 403:
            hint = '; gws_username needs GWS administrator rights'
        raise GwsError('%s %s failed: HTTP %d, statusCode %s%s%s'
                       % (method, path, status, code, (' (%s)' % message) if message else '', hint),
                       http_status=status, status_code=code)
