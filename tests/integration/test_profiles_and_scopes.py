# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of settings profiles and the keyspace search scope on the lab's alternative layout.

`lab.sh alt-layout up` creates keyspace gws_alt (tests/lab/schema_alt.cql): other table and column
names, a three-column partition key, values in a blob table, a settings column the profile does not
map, and a table outside the profile. A second GWS emulator stores settings through the same
profile (tests/lab/profile_alt.yml). The tests erase through that emulator and check Cassandra.
"""

import json
import os
import subprocess
import uuid

import pytest
import yaml

from lab_helpers import CQL_PORT, DEMO_EMAIL, LAB_VAULT_PASSWORD, REPO, ansible_playbook, search_connection
from lab_helpers import KEYSPACE as DEFAULT_KEYSPACE

LAB_SCRIPT = REPO / 'tests' / 'lab' / 'lab.sh'
PROFILE = yaml.safe_load((REPO / 'tests' / 'lab' / 'profile_alt.yml').read_text())
KEYSPACE = 'gws_alt'


def lab(*arguments):
    completed = subprocess.run(['bash', str(LAB_SCRIPT)] + list(arguments), cwd=str(REPO), capture_output=True,
                               text=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return completed


def lab_dir():
    return os.path.abspath(os.environ.get('GDPR_LAB_DIR') or str(REPO / '.lab'))


@pytest.fixture(scope='module')
def alt_lab(cql):
    """Start the alternative layout and its emulator for this module; stop the emulator afterwards."""
    lab('alt-layout', 'up')
    state = json.loads(open(os.path.join(lab_dir(), 'alt-layout.json')).read())
    yield state
    lab('alt-layout', 'down')


@pytest.fixture
def alt_seeded(alt_lab):
    """Seed the alternative layout again and return its manifest."""
    lab('alt-layout', 'seed')
    return alt_lab['manifest']


def settings_rows(cql):
    """Return {(table, scope, owner, group, key)} of every settings row of gws_alt."""
    rows = set()
    for row in cql.execute('SELECT person_id, owner_kind, section, item_id FROM %s.preference_items' % KEYSPACE):
        rows.add(('preference_items', row.owner_kind, row.person_id, row.section, row.item_id))
    for row in cql.execute('SELECT agent_id, list_name, entry_id FROM %s.agent_recents' % KEYSPACE):
        rows.add(('agent_recents', 'user', row.agent_id, row.list_name, row.entry_id))
    return rows


def as_row(location):
    return (location['table'], location['scope'], location['owner_id'], location['group'], location['key'])


def alt_request(alt_lab, manifest, **extra):
    variables = {
        'subjects': [manifest['subjects']['email'], manifest['subjects']['phone']],
        'forget_me_default_region': manifest['subjects']['default_region'],
        'forget_me_settings_profile': PROFILE,
        'forget_me_cassandra_keyspace': KEYSPACE,
        'forget_me_gws_url': 'http://127.0.0.1:%d' % alt_lab['gws_port'],
    }
    variables.update(extra)
    return variables


def forget_me(tmp_path, variables, *options):
    """Run the playbook on the lab inventory; return (process, parsed newest evidence report)."""
    reports = tmp_path / 'reports'
    path = tmp_path / ('vars-%s.json' % uuid.uuid4().hex[:8])
    path.write_text(json.dumps(dict(variables, forget_me_report_dir=str(reports))))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % path, *options)
    newest = max(reports.glob('*.json'), key=lambda report: report.stat().st_mtime) if reports.exists() else None
    return completed, json.loads(newest.read_text()) if newest else None


def assert_no_alt_personal_data(text, manifest):
    lowered = text.lower()
    assert manifest['subjects']['email'] not in lowered
    for digits in ('2025550177', '555-0177', '555 0177'):
        assert digits not in text


def test_alt_layout_erased_end_to_end(alt_lab, alt_seeded, tmp_path, cql):
    before = settings_rows(cql)
    erasable = set(as_row(location) for location in alt_seeded['erasable'])
    assert erasable <= before

    completed, report = forget_me(tmp_path, alt_request(alt_lab, alt_seeded, cleanup=True,
                                                        forget_me_search_scope='keyspace'))

    assert completed.returncode == 0, completed.stdout[-3000:]
    after = settings_rows(cql)
    assert before - after == erasable
    for location in alt_seeded['not_erasable'] + alt_seeded['must_not_match']:
        assert as_row(location) in after
    notes = cql.execute('SELECT count(*) FROM %s.interaction_notes' % KEYSPACE).one()[0]
    assert notes == 4

    assert report['counts']['erased'] == 3
    assert report['counts']['not_erasable'] == 1
    assert report['verification']['passed'] is True
    storage_tables = sorted(entry['table'] for entry in report['storage']['tables'])
    assert storage_tables == ['gws_alt.agent_recents', 'gws_alt.preference_items']
    unmapped = report['found_not_erasable_by_this_collection']['rows']
    found = sorted((row['table'], tuple(row['columns'])) for row in unmapped)
    expected = sorted((row['table'], tuple(row['columns'])) for row in alt_seeded['unmapped_rows'])
    assert found == expected
    assert_no_alt_personal_data(completed.stdout + completed.stderr + json.dumps(report), alt_seeded)

    again, again_report = forget_me(tmp_path, alt_request(alt_lab, alt_seeded, cleanup=True))
    assert again.returncode == 0, again.stdout[-3000:]
    assert 'changed=0' in again.stdout
    assert again_report['counts']['erased'] == 0
    assert settings_rows(cql) == after


def test_keyspace_scope_reports_unmapped_rows(alt_lab, alt_seeded, run_module):
    options = dict(subjects=[alt_seeded['subjects']['email'], alt_seeded['subjects']['phone']], default_region='US',
                   settings_profile=PROFILE, cassandra_hosts=['127.0.0.1'], cassandra_port=CQL_PORT,
                   cassandra_keyspace=KEYSPACE)

    settings_scope = run_module('personal_data_info', **options)
    keyspace_scope = run_module('personal_data_info', search_scope='keyspace', **options)

    assert settings_scope['unmapped_matches'] == []
    assert settings_scope['keyspace_scan'] is None
    assert keyspace_scope['counts']['matches'] == settings_scope['counts']['matches'] == 4
    assert keyspace_scope['keyspace_scan']['complete'] is True
    assert keyspace_scope['keyspace_scan']['undecodable_blobs'] == 1
    skipped = [entry['table'] for entry in keyspace_scope['keyspace_scan']['skipped_tables']]
    assert skipped == ['gws_alt.agent_recents']

    rows = keyspace_scope['unmapped_matches']
    assert len(rows) == len(alt_seeded['unmapped_rows'])
    by_column = dict((tuple(row['columns']), row) for row in rows)
    note = by_column[('note',)]
    assert note['table'] == 'interaction_notes'
    assert note['erasable'] is False
    assert note['reason'].startswith('found, not erasable by this collection')
    # The timeuuid is shown as it is; the text key is masked.
    expected_keys = [row['primary_key'] for row in alt_seeded['unmapped_rows'] if row['columns'] == ['note']][0]
    assert note['primary_key']['note_id'] == expected_keys['note_id']
    assert note['primary_key']['agent_id'] != expected_keys['agent_id']
    assert by_column[('label',)]['table'] == 'preference_items'
    assert 'does not map the column label' in by_column[('label',)]['reason']
    assert by_column[('attachment',)]['locations'] == ['attachment:$.callback']
    # Cassandra returns set elements sorted, so the address comes before 'vip'.
    assert by_column[('tags',)]['locations'] == ['tags:$[0]']


def test_access_export_has_unmapped_row_values(alt_lab, alt_seeded, tmp_path, cql):
    export_dir = tmp_path / 'exports'
    batch = {'requests': [{'id': 'ALT-A-1', 'type': 'access', 'emails': [alt_seeded['subjects']['email']],
                           'phones': [alt_seeded['subjects']['phone']]}]}
    batch_file = tmp_path / 'batch.json'
    batch_file.write_text(json.dumps(batch))
    before = settings_rows(cql)

    variables = alt_request(alt_lab, alt_seeded, request_file=str(batch_file), cleanup=False,
                            forget_me_search_scope='keyspace', forget_me_export_dir=str(export_dir))
    del variables['subjects']

    completed, report = forget_me(tmp_path, variables)

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_rows(cql) == before
    [export_file] = list(export_dir.iterdir())
    export = json.loads(export_file.read_text())
    rows = sorted(export['other_rows'], key=lambda row: row['table'] + json.dumps(row['primary_key'], sort_keys=True))
    expected = sorted((row['table'], tuple(row['columns'])) for row in alt_seeded['unmapped_rows'])
    assert sorted((row['table'], tuple(sorted(row['columns']))) for row in rows) == expected
    # Each row contains the values of the columns the subjects were found in.
    text_of = dict((tuple(row['columns']), json.dumps(row['columns'])) for row in rows)
    assert alt_seeded['subjects']['email'] in text_of[('note',)].lower()
    assert 'callback' in text_of[('attachment',)]
    assert all(value is not None for row in rows for value in row['columns'].values())
    assert [entry['other_rows'] for entry in report['access_exports']['files']] == [len(rows)]
    assert_no_alt_personal_data(completed.stdout + completed.stderr + json.dumps(report), alt_seeded)


def test_default_profile_fails_on_alt_layout(alt_lab, alt_seeded, run_module):
    result = run_module('personal_data_info', subjects=[alt_seeded['subjects']['email']], cassandra_hosts=['127.0.0.1'],
                        cassandra_port=CQL_PORT, cassandra_keyspace=KEYSPACE)

    assert result.get('failed') is True
    assert "table 'gws_alt.settings' not found" in result['msg']
    assert 'settings profile' in result['msg']


def test_invalid_profile_names_field(alt_lab, alt_seeded, run_module):
    broken = json.loads(json.dumps(PROFILE))
    del broken['tables'][1]['value_column']

    result = run_module('personal_data_info', subjects=[alt_seeded['subjects']['email']], settings_profile=broken,
                        cassandra_hosts=['127.0.0.1'], cassandra_port=CQL_PORT, cassandra_keyspace=KEYSPACE)

    assert result.get('failed') is True
    assert 'settings_profile is invalid' in result['msg']
    assert 'profile.tables[1].value_column' in result['msg']


def test_keyspace_scope_searches_invalid_utf8_blob(run_module, cql):
    """A blob with one byte that is not UTF-8 is still searched, with U+FFFD in place of that byte.

    The test adds a table to the lab's default keyspace, outside the default profile, and drops it afterwards.
    """
    table = '%s.binary_notes' % DEFAULT_KEYSPACE
    cql.execute('DROP TABLE IF EXISTS %s' % table, timeout=60)
    cql.execute('CREATE TABLE %s (note_id text PRIMARY KEY, attachment blob)' % table, timeout=60)
    try:
        cql.execute('INSERT INTO %s (note_id, attachment) VALUES (%%s, %%s)' % table,
                    ('note-1', b'\xff' + DEMO_EMAIL.encode('utf-8')))
        cql.execute('INSERT INTO %s (note_id, attachment) VALUES (%%s, %%s)' % table, ('note-2', b'no address'))
        result = run_module('personal_data_info', subjects=[DEMO_EMAIL], default_region='GB',
                            search_scope='keyspace', **search_connection())
    finally:
        cql.execute('DROP TABLE IF EXISTS %s' % table, timeout=60)

    scan = result['keyspace_scan']
    assert scan['complete'] is True
    assert table in scan['tables']
    # The one blob with invalid UTF-8 is counted, and searched all the same.
    assert scan['undecodable_blobs'] == 1
    found = [row for row in result['unmapped_matches'] if row['table'] == 'binary_notes']
    assert len(found) == 1
    assert found[0]['columns'] == ['attachment']
    assert len(found[0]['subjects']) == 1
    assert found[0]['locations'] == ['attachment:$']
    assert DEMO_EMAIL not in json.dumps(result['unmapped_matches'])
