# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of access requests (GDPR Art. 15): the export file, its permissions and its content.

The role writes one export per access request with the matched settings in full. The evidence report
and the output name the file without its content, and an access request erases nothing.
"""

import hashlib
import json
import stat

import yaml

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook, locations_of,
                         settings_fingerprint)

TEST_EMAIL = 'max.mustermann@example.org'


def forget_me(tmp_path, variables, *options):
    """Run the playbook on the lab inventory; return (process, parsed newest evidence report or None)."""
    reports = tmp_path / 'reports'
    path = tmp_path / 'vars.json'
    path.write_text(json.dumps(dict(variables, forget_me_report_dir=str(reports))))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % path, *options)
    newest = max(reports.glob('*.json'), key=lambda report: report.stat().st_mtime) if reports.exists() else None
    return completed, json.loads(newest.read_text()) if newest else None


def assert_no_personal_data(text):
    for value in (DEMO_EMAIL, '2079460958', '7946 0958', TEST_EMAIL):
        assert value not in text.lower()


def exported_locations(export):
    return set((setting['scope'], setting['owner_id'], setting['group'], setting['key'])
               for setting in export['settings'])


def test_single_access_request_exports(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    export_dir = tmp_path / 'exports' / 'dsr'

    completed, report = forget_me(tmp_path, {
        'subjects': [DEMO_EMAIL], 'forget_me_request_type': 'access', 'forget_me_request_id': 'DSR-0042',
        'forget_me_export_dir': str(export_dir), 'cleanup': False})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    [export_file] = list(export_dir.iterdir())
    assert export_file.name.startswith('access-DSR-0042-')
    assert stat.S_IMODE(export_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(export_dir.stat().st_mode) == 0o700

    export = json.loads(export_file.read_text())
    assert export['request_id'] == 'DSR-0042'
    assert export['scan_complete'] is True
    assert export['subjects'][0]['value'] == DEMO_EMAIL
    assert exported_locations(export) == locations_of(seeded, 'demo_email')
    assert all(setting['subjects'] == [DEMO_EMAIL] for setting in export['settings'])
    assert all(setting['value'] is not None for setting in export['settings'])

    [entry] = report['access_exports']['files']
    assert entry['path'] == str(export_file)
    assert entry['written'] is True
    assert entry['sha256'] == hashlib.sha256(export_file.read_bytes()).hexdigest()
    assert str(export_file) in completed.stdout
    assert report['counts']['erased'] == 0
    assert_no_personal_data(completed.stdout + completed.stderr + json.dumps(report))


def test_batch_exports_access_request_before_erasing(seeded, tmp_path, cql):
    forgotten = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    export_dir = tmp_path / 'exports'
    batch = {'requests': [
        {'id': 'REQ-F-1', 'type': 'forget', 'emails': [DEMO_EMAIL], 'phones': [DEMO_PHONE]},
        {'id': 'REQ-A-1', 'type': 'access', 'emails': [TEST_EMAIL, DEMO_EMAIL]},
    ]}
    batch_file = tmp_path / 'batch.yml'
    batch_file.write_text(yaml.safe_dump(batch))

    completed, report = forget_me(tmp_path, {'request_file': str(batch_file), 'cleanup': True,
                                             'forget_me_export_dir': str(export_dir)})

    assert completed.returncode == 0, completed.stdout[-3000:]
    [export_file] = list(export_dir.iterdir())
    assert export_file.name.startswith('access-REQ-A-1-')
    export = json.loads(export_file.read_text())
    # The export was written before the erase, so it still contains the settings the forget request erased.
    assert exported_locations(export) == locations_of(seeded, 'test_email', 'demo_email')
    assert sorted(subject['value'] for subject in export['subjects']) == [DEMO_EMAIL, TEST_EMAIL]
    assert not forgotten & set(settings_fingerprint(cql))
    assert [entry['request_id'] for entry in report['access_exports']['files']] == ['REQ-A-1']
    assert_no_personal_data(completed.stdout + completed.stderr + json.dumps(report))


def test_similar_request_ids_get_own_exports(seeded, tmp_path):
    export_dir = tmp_path / 'exports'
    batch = {'requests': [
        {'id': 'A/1', 'type': 'access', 'emails': [DEMO_EMAIL]},
        {'id': 'A:1', 'type': 'access', 'emails': [TEST_EMAIL]},
    ]}
    batch_file = tmp_path / 'batch.yml'
    batch_file.write_text(yaml.safe_dump(batch))

    completed, report = forget_me(tmp_path, {'request_file': str(batch_file), 'cleanup': False,
                                             'forget_me_export_dir': str(export_dir)})

    assert completed.returncode == 0, completed.stdout[-3000:]
    files = sorted(export_dir.iterdir())
    assert len(files) == 2
    listed = dict((entry['request_id'], entry['path']) for entry in report['access_exports']['files'])
    assert sorted(listed.values()) == [str(path) for path in files]
    for request_id, path in listed.items():
        assert json.loads(open(path).read())['request_id'] == request_id
    assert_no_personal_data(completed.stdout + completed.stderr + json.dumps(report))


def test_access_request_with_cleanup_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    export_dir = tmp_path / 'exports'

    completed, report = forget_me(tmp_path, {
        'subjects': [DEMO_EMAIL], 'forget_me_request_type': 'access', 'forget_me_request_id': 'DSR-0043',
        'forget_me_export_dir': str(export_dir), 'cleanup': True})

    assert completed.returncode != 0
    assert 'forget_me_request_type is access' in completed.stdout
    assert 'Set forget_me_cleanup to false' in completed.stdout
    assert 'Search Cassandra' not in completed.stdout
    assert report is None
    assert not export_dir.exists()
    assert settings_fingerprint(cql) == before
    assert_no_personal_data(completed.stdout + completed.stderr)


def test_access_request_needs_export_dir(seeded, tmp_path):
    completed, report = forget_me(tmp_path, {'subjects': [DEMO_EMAIL], 'forget_me_request_type': 'access',
                                             'forget_me_export_dir': ''})

    assert completed.returncode != 0
    assert 'Set forget_me_export_dir' in completed.stdout
    assert report['outcome'] == 'failed'
    assert report['access_exports']['files'] == []
    assert_no_personal_data(completed.stdout)


def test_access_dry_run_writes_no_export(seeded, tmp_path):
    export_dir = tmp_path / 'exports'

    completed, report = forget_me(tmp_path, {'subjects': [DEMO_EMAIL], 'forget_me_request_type': 'access',
                                             'forget_me_export_dir': str(export_dir)}, '--check')

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert not export_dir.exists() or not list(export_dir.iterdir())
    [entry] = report['access_exports']['files']
    assert entry['written'] is False
    assert 'Dry run: no access export was written' in completed.stdout
