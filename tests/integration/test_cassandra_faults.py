# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of Cassandra failures: each must end in a clear error and delete nothing.

A node that stops in the middle of a scan, or stops responding, is played by a TCP proxy in front
of the lab's Cassandra (fixture cassandra_proxy). The proxy switches its fault after a number of
bytes from the client, so the fault lands inside the scan on a fast or a slow machine: a run
sends about 1.2 kB to connect and about 100 bytes per token range.
"""

import pytest

from lab_helpers import DEMO_EMAIL, DEMO_PHONE, lab_connection, locations_of, search_connection, settings_fingerprint

DEMO = [DEMO_EMAIL, DEMO_PHONE]
# With 512 token ranges the scan sends about 50 kB; the fault starts after about 100 ranges.
SCAN_RANGES = 512
FAULT_AFTER_BYTES = 12000


def erase_through(run_module, port, **options):
    arguments = dict(lab_connection(), subjects=DEMO, default_region='GB', cassandra_port=port,
                     token_ranges=SCAN_RANGES)
    arguments.update(options)
    return run_module('personal_data', **arguments)


def test_node_stopped_and_restarted_during_scan(seeded, run_module, cql, cassandra_proxy, access_log):
    before = settings_fingerprint(cql)
    cassandra_proxy.fail_after(FAULT_AFTER_BYTES, 'down', 2.0)

    result = erase_through(run_module, cassandra_proxy.port)

    assert cassandra_proxy.connections_closed >= 1
    assert result['failed'] is True
    assert 'The scan is incomplete' in result['msg']
    assert 'sipfs.settings' in result['msg']
    assert '127.0.0.1 (port %d)' % cassandra_proxy.port in result['msg']
    assert 'Nothing was deleted' in result['msg']
    assert result['scan']['complete'] is False
    assert result['scan']['failed_ranges']
    assert result['planned'] == [] or result['deleted'] == []
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before

    # The node is back: the same request now completes and erases exactly the matches.
    assert cassandra_proxy.wait_for_forward(10)
    again = erase_through(run_module, cassandra_proxy.port)

    assert again['failed'] is False, again['msg']
    assert again['scan']['complete'] is True
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    after = settings_fingerprint(cql)
    assert set(before) - set(after) == expected
    assert all(after[row] == before[row] for row in after)


def test_read_timeouts_during_scan(seeded, run_module, cql, cassandra_proxy, access_log):
    before = settings_fingerprint(cql)
    # The node stops responding for 6 s. Each read times out after 1 s and is tried three times.
    cassandra_proxy.fail_after(FAULT_AFTER_BYTES, 'stall', 6.0)

    result = erase_through(run_module, cassandra_proxy.port, cassandra_request_timeout=1)

    assert result['failed'] is True
    assert 'The scan is incomplete' in result['msg']
    assert 'OperationTimedOut' in result['msg']
    assert 'cassandra_request_timeout' in result['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def test_node_stalled_in_the_middle_of_a_range(seeded, run_module, cql, cassandra_proxy, access_log):
    """A node that stops responding between two pages of a range times out like one that stops before the range."""
    before = settings_fingerprint(cql)
    # With 2 rows per page, each range has dozens of pages, so the stall starts inside a range.
    cassandra_proxy.fail_after(FAULT_AFTER_BYTES, 'stall', 10.0)

    result = erase_through(run_module, cassandra_proxy.port, cassandra_request_timeout=1, token_ranges=4,
                           fetch_size=2)

    assert result['failed'] is True
    assert 'The scan is incomplete' in result['msg']
    assert 'OperationTimedOut' in result['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def test_keyspace_scan_stalled_mid_range(seeded, run_module, cql, cassandra_proxy, access_log):
    """The keyspace scope reads each page as a request of its own, so a node that stops responding between two
    pages times out after cassandra_request_timeout instead of holding the scan for as long as it is stalled."""
    before = settings_fingerprint(cql)
    # One token range per table and one row per page: the keyspace scan of users and settings_groups sends two
    # first-page requests and about 45 requests for later pages.
    options = dict(search_connection(), subjects=DEMO, default_region='GB', cassandra_port=cassandra_proxy.port,
                   cassandra_request_timeout=1, token_ranges=1, fetch_size=1)

    # The keyspace scan runs after the settings scan. Two runs without faults measure the bytes each one sends.
    settings_scope = run_module('personal_data_info', **options)
    settings_bytes = cassandra_proxy.client_bytes
    keyspace_scope = run_module('personal_data_info', search_scope='keyspace', **options)
    run_bytes = cassandra_proxy.client_bytes - settings_bytes
    keyspace_bytes = run_bytes - settings_bytes
    assert settings_scope['scan']['complete'] is True
    assert keyspace_scope['keyspace_scan']['complete'] is True
    assert keyspace_bytes > 2000

    # The stall starts halfway through the keyspace scan and lasts longer than the three attempts of a range.
    cassandra_proxy.fail_after(settings_bytes + keyspace_bytes // 2, 'stall', 15.0)
    result = run_module('personal_data_info', search_scope='keyspace', **options)

    assert result['scan']['complete'] is True
    scan = result['keyspace_scan']
    assert scan['complete'] is False
    assert scan['failed_ranges']
    assert set(failed['error'] for failed in scan['failed_ranges']) == {'OperationTimedOut'}
    assert 'The keyspace scan is incomplete' in '\n'.join(result.get('warnings') or [])
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def test_unreachable_node_deletes_nothing(seeded, run_module, cql, cassandra_proxy, access_log):
    before = settings_fingerprint(cql)
    cassandra_proxy.set_mode('down')

    result = erase_through(run_module, cassandra_proxy.port, cassandra_connect_timeout=2)

    assert result['failed'] is True
    assert 'cannot connect to Cassandra at 127.0.0.1 (port %d)' % cassandra_proxy.port in result['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


@pytest.mark.parametrize('keyspace, profile, message', [
    ('no_such_keyspace', None, "keyspace 'no_such_keyspace' not found"),
    ('sipfs', {'table': 'no_such_table'}, "table 'sipfs.no_such_table' not found"),
    ('sipfs', {'value_column': 'no_such_column'}, "table 'sipfs.settings' has no column no_such_column"),
])
def test_missing_schema_named_in_error(seeded, run_module, cql, access_log, keyspace, profile, message):
    before = settings_fingerprint(cql)
    options = dict(lab_connection(), subjects=DEMO, default_region='GB', cassandra_keyspace=keyspace)
    if profile:
        table = {'name': profile.get('table', 'settings'), 'scope_column': 'scope', 'owner_column': 'owner_id',
                 'group_column': 'group_name', 'key_column': 'setting_key',
                 'value_column': profile.get('value_column', 'value')}
        options['settings_profile'] = settings_profile_with(table)

    result = run_module('personal_data', **options)

    assert result['failed'] is True
    assert message in result['msg']
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def settings_profile_with(table):
    """Return the default settings profile with its one table replaced."""
    user = {'groups': '/api/v2/users/{owner_id}/settings', 'read': '/api/v2/users/{owner_id}/settings/{group}',
            'delete': {'method': 'DELETE', 'url': '/api/v2/users/{owner_id}/settings/{group}',
                       'body': {'{key_attribute}': '{key}'}}}
    center = {'groups': '/api/v2/settings', 'read': '/api/v2/settings/{group}',
              'delete': {'method': 'DELETE', 'url': '/api/v2/settings/{group}', 'body': {'{key_attribute}': '{key}'}}}
    return {'tables': [table], 'default_key_attribute': 'name', 'requests': {'user': user, 'contact-center': center}}
