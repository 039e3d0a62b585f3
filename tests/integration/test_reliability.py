# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of gdpr.gws.personal_data while the GWS emulator injects faults.

Each test switches faults on through the emulator's lab control API (fixture gws_faults), runs
the module, and checks three things: what the module reports, what the emulator's access log
shows, and what is left in Cassandra. Whatever the fault, a run either erases exactly the
matching settings or fails and names what was and was not erased. It never deletes anything else.
"""

import datetime
import hashlib
import hmac

from lab_helpers import DEMO_EMAIL, DEMO_PHONE, lab_connection, locations_of, settings_fingerprint

DEMO = [DEMO_EMAIL, DEMO_PHONE]
SALT = 'reliability-tests'


def setting_id(row):
    """Return the module's setting id of a (scope, owner, group, key) row of the settings table."""
    identity = '\x1f'.join(('settings',) + tuple(row))
    return 'set-' + hmac.new(SALT.encode('utf-8'), identity.encode('utf-8'), hashlib.sha256).hexdigest()[:16]


def ids(records):
    return set(record['setting_id'] for record in records)


def ids_of(rows):
    return set(setting_id(row) for row in rows)


def warnings_of(run_module, result):
    """Return the module's warnings: from the result when Ansible keeps them, else from the output."""
    text = '\n'.join(result.get('warnings') or [])
    return text + '\n' + run_module.last.stdout + run_module.last.stderr


def erase(run_module, **options):
    arguments = dict(lab_connection(), subjects=DEMO, default_region='GB', hash_salt=SALT)
    arguments.update(options)
    return run_module('personal_data', **arguments)


def assert_only_expected_erased(before, after, expected):
    """Assert that exactly `expected` rows are gone and every other row is byte for byte unchanged."""
    assert set(before) - set(after) == expected
    assert set(after) <= set(before)
    changed = [row for row in after if after[row] != before[row]]
    assert changed == []


def test_retries_429_and_5xx(seeded, run_module, cql, gws_faults, access_log):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    before = settings_fingerprint(cql)
    # The first DELETE gets 500, 429, 502 and 503 in turn, then goes through on its fifth attempt.
    gws_faults.set({'kind': 'error', 'status': 500, 'methods': ['DELETE'], 'count': 1},
                   {'kind': 'throttle', 'retry_after': 0, 'methods': ['DELETE'], 'count': 1},
                   {'kind': 'error', 'status': 502, 'retry_after': 0, 'methods': ['DELETE'], 'count': 1},
                   {'kind': 'error', 'status': 503, 'retry_after': 0, 'methods': ['DELETE'], 'count': 1})

    result = erase(run_module, gws_retries=4)

    assert result['failed'] is False, result['msg']
    assert gws_faults.fired() == [1, 1, 1, 1]
    assert ids(result['deleted']) == ids_of(expected)
    assert result['failed_settings'] == []
    assert result['verified'] is True
    warnings = warnings_of(run_module, result)
    for status in (500, 429, 502, 503):
        assert 'returned HTTP %d; retry' % status in warnings
    statuses = [status for method, path, status in access_log.requests('DELETE')]
    assert statuses[:5] == ['500', '429', '502', '503', '200']
    assert_only_expected_erased(before, settings_fingerprint(cql), expected)


def test_retry_after_is_honoured(seeded, run_module, gws_faults, access_log):
    gws_faults.set({'kind': 'throttle', 'retry_after': 2, 'methods': ['DELETE'], 'count': 1})

    result = erase(run_module, subjects=[DEMO_EMAIL])

    assert result['failed'] is False, result['msg']
    stamps = [datetime.datetime.strptime(line[:23], '%Y-%m-%d %H:%M:%S,%f')
              for line in access_log.lines() if '"DELETE /api/' in line]
    assert '" 429 ' in [line for line in access_log.lines() if '"DELETE /api/' in line][0]
    waited = (stamps[1] - stamps[0]).total_seconds()
    assert waited >= 1.9
    assert 'returned HTTP 429; retry 1 of 3 in 2.0 s' in warnings_of(run_module, result)


def test_dropped_and_timed_out_responses(seeded, run_module, cql, gws_faults):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    before = settings_fingerprint(cql)
    # 1st DELETE: applied, but the response comes after the client's 2 s read timeout.
    # 2nd DELETE: applied, then the connection is closed without a response.
    # 3rd DELETE: the connection is closed before GWS reads the request.
    # The retries of the first two find the setting gone (statusCode 6), which counts as erased.
    gws_faults.set({'kind': 'timeout', 'after': True, 'delay_s': 3, 'methods': ['DELETE'], 'count': 1},
                   {'kind': 'drop', 'after': True, 'methods': ['DELETE'], 'skip': 1, 'count': 1},
                   {'kind': 'drop', 'methods': ['DELETE'], 'skip': 2, 'count': 1})

    result = erase(run_module, gws_timeout=2)

    assert result['failed'] is False, result['msg']
    assert gws_faults.fired() == [1, 1, 1]
    assert len(result['already_gone']) == 2
    assert ids(result['deleted'] + result['already_gone']) == ids_of(expected)
    assert result['verified'] is True
    warnings = warnings_of(run_module, result)
    assert 'ReadTimeout; retry 1 of 3' in warnings
    assert 'ConnectionError; retry 1 of 3' in warnings
    assert_only_expected_erased(before, settings_fingerprint(cql), expected)


def test_csrf_expiry_and_cookie_loss_mid_run(seeded, run_module, cql, gws_faults, access_log):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    assert len(expected) >= 8
    before = settings_fingerprint(cql)
    # GWS expires every session before the 3rd DELETE, and later tells the client to delete its
    # JSESSIONID cookie. Each time the module fetches a new session and token once and goes on.
    gws_faults.set({'kind': 'csrf_expiry', 'methods': ['DELETE'], 'skip': 2, 'count': 1},
                   {'kind': 'cookie_loss', 'methods': ['DELETE'], 'skip': 4, 'count': 1},
                   latency_ms=20)

    result = erase(run_module)

    assert result['failed'] is False, result['msg']
    assert gws_faults.fired() == [1, 1]
    assert ids(result['deleted']) == ids_of(expected)
    assert result['verified'] is True
    rejected = access_log.requests('DELETE', status=403)
    assert len(rejected) == 2
    assert warnings_of(run_module, result).count('rejected the CSRF token') >= 2
    assert_only_expected_erased(before, settings_fingerprint(cql), expected)


def test_failed_deletes_listed_then_resumed(seeded, run_module, cql, gws_faults):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    owners = sorted(set(owner for scope, owner, group, key in expected))
    stuck_owner = owners[0]
    stuck = set(l for l in expected if l[1] == stuck_owner)
    before = settings_fingerprint(cql)
    # Every DELETE for one agent fails with HTTP 500 and statusCode 4; the others go through.
    gws_faults.set({'kind': 'error', 'status': 500, 'methods': ['DELETE'], 'path': stuck_owner})

    first = erase(run_module, gws_retries=1)

    assert first['failed'] is True
    assert first['changed'] is True
    failed_ids = ids(first['failed_settings'])
    assert failed_ids == ids_of(stuck)
    assert set(record['owner_id'] for record in first['failed_settings']) == {stuck_owner}
    assert ids(first['deleted']) == ids_of(expected - stuck)
    assert first['not_attempted'] == []
    assert '%d of %d settings were erased and %d were not' % (len(expected - stuck), len(expected), len(stuck)) \
        in first['msg']
    for setting_id in failed_ids:
        assert setting_id in first['msg']
    assert 'run the same request again' in first['msg']
    # The lists are masked: no key of a failed setting appears as stored.
    stored_keys = set(key for scope, owner, group, key in stuck)
    for record in first['failed_settings']:
        assert record['key'] not in stored_keys
        assert 'value' not in record
    middle = settings_fingerprint(cql)
    assert stuck <= set(middle)
    assert_only_expected_erased(before, middle, expected - stuck)

    gws_faults.clear()
    second = erase(run_module)

    assert second['failed'] is False, second['msg']
    assert second['changed'] is True
    assert ids(second['deleted']) == failed_ids
    assert second['verified'] is True
    assert_only_expected_erased(before, settings_fingerprint(cql), expected)


def test_unreachable_gws_stops_after_three(seeded, run_module, cql, gws_faults):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    before = settings_fingerprint(cql)
    gws_faults.set({'kind': 'drop', 'methods': ['DELETE']})

    result = erase(run_module, gws_retries=1)

    assert result['failed'] is True
    assert result['changed'] is False
    assert len(result['failed_settings']) == 3
    assert len(result['not_attempted']) == len(expected) - 3
    assert result['deleted'] == []
    assert 'unreachable or overloaded for 3 settings in a row' in result['msg']
    assert '0 of %d settings were erased' % len(expected) in result['msg']
    assert settings_fingerprint(cql) == before


def test_gws_down_at_login_deletes_nothing(seeded, run_module, cql, gws_faults, access_log):
    before = settings_fingerprint(cql)
    gws_faults.set({'kind': 'error', 'status': 503, 'retry_after': 0, 'path': '/api/v2/me'})

    result = erase(run_module, gws_retries=2)

    assert result['failed'] is True
    assert 'Cannot log in to GWS, nothing was deleted' in result['msg']
    assert 'HTTP 503' in result['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def test_csrf_rejected_twice_stops(seeded, run_module, cql, gws_faults):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    before = settings_fingerprint(cql)
    gws_faults.set({'kind': 'csrf_expiry', 'methods': ['DELETE']})

    result = erase(run_module)

    assert result['failed'] is True
    assert 'freshly fetched CSRF token' in result['msg']
    assert len(result['failed_settings']) == 1
    assert len(result['not_attempted']) == len(expected) - 1
    assert settings_fingerprint(cql) == before


def test_max_deletions_stops_before_any_delete(seeded, run_module, cql, access_log):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    before = settings_fingerprint(cql)

    refused = erase(run_module, max_deletions=len(expected) - 1)

    assert refused['failed'] is True
    assert '%d settings would be deleted, more than max_deletions (%d)' % (len(expected), len(expected) - 1) \
        in refused['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before

    allowed = erase(run_module, max_deletions=len(expected))

    assert allowed['failed'] is False, allowed['msg']
    assert ids(allowed['deleted']) == ids_of(expected)
