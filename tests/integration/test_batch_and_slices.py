# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of request batches, token slices shared by several hosts, and failed token ranges.

They run the playbook and the modules against the lab and check Cassandra afterwards.
"""

import hashlib
import json

import yaml

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, KEYSPACE, LAB_VAULT_PASSWORD, ansible_playbook, lab_connection,
                         locations_of, search_connection, settings_fingerprint)

TEST_EMAIL = 'max.mustermann@example.org'
TEST_PHONE = '+1 202-555-0143'

BATCH = {'requests': [
    {'id': 'REQ-2026-0001', 'type': 'forget', 'emails': [DEMO_EMAIL], 'phones': [DEMO_PHONE]},
    {'id': 'REQ-2026-0002', 'type': 'access', 'emails': [TEST_EMAIL]},
    {'id': 'REQ-2026-0003', 'type': 'forget', 'phones': [TEST_PHONE]},
]}


def forget_me(tmp_path, extra_vars, *options, inventories=('inventories/lab',)):
    """Run the playbook with reports in tmp_path; return (process, parsed newest report or None)."""
    reports = tmp_path / 'reports'
    variables = tmp_path / 'vars.json'
    variables.write_text(json.dumps(dict(extra_vars, forget_me_report_dir=str(reports))))
    arguments = ['gdpr.gws.forget_me']
    for inventory in inventories:
        arguments += ['-i', inventory]
    completed = ansible_playbook(*arguments, '--vault-password-file', LAB_VAULT_PASSWORD, '-e', '@%s' % variables,
                                 *options)
    report = None
    if reports.exists():
        newest = max(reports.glob('*.json'), key=lambda path: path.stat().st_mtime, default=None)
        report = json.loads(newest.read_text()) if newest else None
    return completed, report


def write_batch(tmp_path, batch, name='batch.yml'):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(batch))
    return path


def assert_no_personal_data(text):
    for value in (DEMO_EMAIL, '2079460958', '7946 0958', TEST_EMAIL, '2025550143', '555-0143'):
        assert value not in text


def test_batch_file_erases_forget_requests_only(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    forgotten = locations_of(seeded, 'demo_email', 'demo_phone', 'test_phone', scope='user')
    access_only = locations_of(seeded, 'test_email', scope='user') - forgotten
    assert access_only

    completed, report = forget_me(tmp_path, {'request_file': str(write_batch(tmp_path, BATCH)), 'cleanup': True})

    assert completed.returncode == 0, completed.stdout[-3000:]
    after = settings_fingerprint(cql)
    assert set(before) - set(after) == forgotten
    assert access_only <= set(after)
    requests = dict((request['id'], request) for request in report['requests'])
    assert sorted(requests) == ['REQ-2026-0001', 'REQ-2026-0002', 'REQ-2026-0003']
    assert requests['REQ-2026-0002']['type'] == 'access'
    assert requests['REQ-2026-0002']['counts']['found'] == len(locations_of(seeded, 'test_email'))
    shared_with_forget = locations_of(seeded, 'test_email', scope='user') & forgotten
    assert requests['REQ-2026-0002']['counts']['erased'] == len(shared_with_forget)
    assert requests['REQ-2026-0003']['counts']['erased'] == len(locations_of(seeded, 'test_phone', scope='user'))
    assert len(requests['REQ-2026-0001']['subjects']) == 2
    assert report['counts']['erased'] == len(forgotten)
    assert report['verification']['passed'] is True
    counts = report['counts']
    assert counts['access_only'] == len(access_only)
    assert counts['found'] == counts['erased'] + counts['access_only'] + counts['not_erasable']
    assert ('%d settings contained the subjects: %d erased, %d reported for access requests, %d not erasable'
            % (counts['found'], len(forgotten), len(access_only), counts['not_erasable'])) in completed.stdout
    assert_no_personal_data(completed.stdout + completed.stderr + json.dumps(report))


def test_batch_dry_run_reports_per_request(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, {'request_file': str(write_batch(tmp_path, BATCH)), 'cleanup': True},
                                  '--check')

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert report['dry_run'] is True
    assert [request['id'] for request in report['requests']] == ['REQ-2026-0001', 'REQ-2026-0002', 'REQ-2026-0003']
    assert all(request['counts']['found'] > 0 for request in report['requests'])
    assert 'REQ-2026-0002 (access)' in completed.stdout
    assert 'Batch of 3 requests: 2 forget, 1 access' in completed.stdout
    counts = report['counts']
    assert counts['found'] == counts['planned'] + counts['access_only'] + counts['not_erasable']
    assert ('%d settings contain the subjects: %d to erase in a real run, %d reported for access requests, '
            '%d not erasable' % (counts['found'], counts['planned'], counts['access_only'], counts['not_erasable'])
            in completed.stdout)


def test_batch_of_one_request_search(seeded, tmp_path):
    batch = {'requests': [BATCH['requests'][0]]}

    completed, report = forget_me(tmp_path, {'request_file': str(write_batch(tmp_path, batch))})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert 'Batch of 1 request: 1 forget, 0 access' in completed.stdout
    assert [request['id'] for request in report['requests']] == ['REQ-2026-0001']
    assert_no_personal_data(completed.stdout)


def test_malformed_batch_rejected_before_scan(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    batch = {'requests': [dict(BATCH['requests'][0]),
                          {'id': 'REQ-2026-0002', 'type': 'forget', 'phones': [442079460958]}]}

    completed, _report = forget_me(tmp_path, {'request_file': str(write_batch(tmp_path, batch)), 'cleanup': True})

    assert completed.returncode != 0
    assert 'requests[1] (id REQ-2026-0002).phones[0] must be a string' in completed.stdout
    assert 'Search Cassandra' not in completed.stdout
    assert settings_fingerprint(cql) == before


def test_batch_wrong_field_named(seeded, tmp_path):
    batch = {'requests': [{'id': 'REQ-1', 'type': 'forget', 'emails': [DEMO_PHONE]},
                          {'id': 'REQ-2', 'type': 'access', 'emails': [DEMO_EMAIL]}]}

    completed, _report = forget_me(tmp_path, {'request_file': str(write_batch(tmp_path, batch))})

    assert completed.returncode != 0
    assert 'requests[0] (id REQ-1).emails[0] is a phone number' in completed.stdout
    assert_no_personal_data(completed.stdout)


def slice_run(run_module, token_slice=None):
    options = search_connection()
    if token_slice:
        options['token_slice'] = token_slice
    return run_module('personal_data_info', subjects=[DEMO_EMAIL, DEMO_PHONE, TEST_EMAIL, TEST_PHONE],
                      default_region='GB', hash_salt='slices', token_ranges=16, **options)


def test_slices_together_equal_full_scan(seeded, run_module):
    full = slice_run(run_module)
    parts = [slice_run(run_module, '%d/3' % index) for index in (1, 2, 3)]

    found = [set(match['setting_id'] for match in part['matches']) for part in parts]
    assert set().union(*found) == set(match['setting_id'] for match in full['matches'])
    assert sum(len(ids) for ids in found) == len(full['matches'])
    assert sum(part['counts']['rows_scanned'] for part in parts) == full['counts']['rows_scanned']
    assert [part['scan']['token_ranges'] for part in parts] == [6, 5, 5]
    assert all(part['scan']['complete'] for part in parts)


def test_sharded_role_run_erases_like_one_host(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    shards = tmp_path / 'shards.yml'
    shards.write_text(yaml.safe_dump({'gdpr_runners': {'hosts': dict(
        (name, {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'})
        for name in ('shard-2', 'shard-3'))}}))

    completed, report = forget_me(tmp_path, {'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True,
                                             'forget_me_shard_scan': True},
                                  inventories=('inventories/lab', str(shards)))

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert set(before) - set(settings_fingerprint(cql)) == expected
    assert report['scan']['complete'] is True
    assert sorted(report['scan']['token_slices']) == ['1/3', '2/3', '3/3']
    assert report['scan']['rows_scanned'] == seeded['totals']['settings']
    assert report['counts']['erased'] == len(expected)
    assert 'token slice 2/3' in completed.stdout


def test_sharded_run_names_failed_host(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    shards = tmp_path / 'shards.yml'
    hosts = {'shard-2': {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'shard-3': {'ansible_connection': 'local', 'ansible_python_interpreter': str(tmp_path / 'no-python')}}
    shards.write_text(yaml.safe_dump({'gdpr_runners': {'hosts': hosts}}))

    completed, report = forget_me(tmp_path, {'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True,
                                             'forget_me_shard_scan': True},
                                  inventories=('inventories/lab', str(shards)))

    assert completed.returncode != 0
    assert 'No search result from shard-3, because the search failed there' in completed.stdout
    assert 'HostVarsVars' not in completed.stdout
    assert report['outcome'] == 'failed'
    assert 'No search result from shard-3' in report['error']['message']
    assert report['counts']['erased'] == 0
    assert settings_fingerprint(cql) == before


def write_tombstones(cql, count=100100, batch_size=200):
    """Write more row tombstones into one partition than Cassandra's tombstone_failure_threshold (100,000).

    A read of the token range that contains the partition then fails with READ_TOO_MANY_TOMBSTONES.
    """
    from cassandra.concurrent import execute_concurrent
    from cassandra.query import BatchStatement, BatchType

    delete = cql.prepare('DELETE FROM %s.settings WHERE scope = ? AND owner_id = ? AND group_name = ? AND '
                         'setting_key = ?' % KEYSPACE)
    batches = []
    for start in range(0, count, batch_size):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for index in range(start, min(start + batch_size, count)):
            batch.add(delete, ('user', 'tombstone-owner', 'interaction-workspace', 'key-%06d' % index))
        batches.append((batch, None))
    execute_concurrent(cql, batches, concurrency=16, raise_on_first_error=True)


def partition_fingerprint(cql, partitions):
    """Return settings_fingerprint's mapping, read partition by partition (a full read would fail)."""
    select = cql.prepare('SELECT scope, owner_id, group_name, setting_key, value FROM %s.settings '
                         'WHERE scope = ? AND owner_id = ?' % KEYSPACE)
    found = {}
    for scope, owner_id in sorted(partitions):
        for row in cql.execute(select, (scope, owner_id)):
            found[(row.scope, row.owner_id, row.group_name, row.setting_key)] = hashlib.sha256(
                (row.value or '').encode('utf-8')).hexdigest()
    return found


def test_failed_range_leaves_scan_incomplete(seeded, run_module, cql):
    before = settings_fingerprint(cql)
    partitions = set((scope, owner_id) for scope, owner_id, _group, _key in before)
    write_tombstones(cql)
    try:

        result = run_module('personal_data', subjects=[DEMO_EMAIL, DEMO_PHONE], default_region='GB',
                            **lab_connection())

        assert result['failed'] is True
        assert 'incomplete' in result['msg']
        assert 'Nothing was deleted' in result['msg'] or 'nothing was deleted' in result['msg']
        assert result['scan']['complete'] is False
        assert len(result['scan']['failed_ranges']) == 1
        assert result['scan']['failed_ranges'][0]['error'] == 'ReadFailure'
        assert result['deleted'] == []
        assert partition_fingerprint(cql, partitions) == before
    finally:
        cql.execute('TRUNCATE %s.settings' % KEYSPACE, timeout=120)


def test_incomplete_search_fails_the_run(seeded, tmp_path, cql):
    """A search-only dry run whose scan missed a token range fails, and its report names the incomplete search."""
    write_tombstones(cql)
    try:

        completed, report = forget_me(tmp_path, {'subjects': [DEMO_EMAIL, DEMO_PHONE], 'default_region': 'GB'},
                                      '--check')

        assert completed.returncode != 0
        assert 'The search is incomplete: 1 token ranges failed (ReadFailure)' in ' '.join(completed.stdout.split())
        assert report['outcome'] == 'failed'
        assert report['error']['task'] == 'Check that the search read every token range'
        assert_no_personal_data(completed.stdout + completed.stderr)
    finally:
        cql.execute('TRUNCATE %s.settings' % KEYSPACE, timeout=120)


def test_invalid_token_slice_rejected(run_module):
    options = search_connection()
    options.update(token_slice='4/3')

    result = run_module('personal_data_info', subjects=[DEMO_EMAIL], **options)

    assert result['failed'] is True
    assert "token_slice must be 'i/n' with 1 <= i <= n" in result['msg']
