# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of the playbook gdpr.gws.forget_me and its role on the lab inventory."""

import json
import re

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook, locations_of,
                         settings_fingerprint)

DEMO_REQUEST = {'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True}


def forget_me(tmp_path, extra_vars, *options):
    """Run the playbook on the lab inventory with reports in tmp_path; return (process, newest report)."""
    reports = tmp_path / 'reports'
    variables = tmp_path / 'request.json'
    variables.write_text(json.dumps(dict(extra_vars, forget_me_report_dir=str(reports))))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % variables, *options)
    newest = max(reports.glob('*.json'), key=lambda path: path.stat().st_mtime) if reports.exists() else None
    return completed, newest


def recap_changed(output):
    match = re.search(r'^localhost\s+: ok=\d+\s+changed=(\d+)', output, re.MULTILINE)
    assert match, output[-2000:]
    return int(match.group(1))


def assert_no_personal_data(text):
    assert DEMO_EMAIL not in text.lower()
    assert '7946 0958' not in text
    assert '2079460958' not in text
    assert 'lab-admin-password' not in text


def test_dry_run_then_erase_then_nothing(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    dry, dry_report = forget_me(tmp_path, DEMO_REQUEST, '--check', '--diff')
    assert dry.returncode == 0, dry.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    dry_evidence = json.loads(dry_report.read_text())
    assert dry_evidence['dry_run'] is True

    real, real_report = forget_me(tmp_path, DEMO_REQUEST)
    assert real.returncode == 0, real.stdout[-3000:]
    assert recap_changed(real.stdout) >= 1
    assert set(before) - set(settings_fingerprint(cql)) == expected

    again, again_report = forget_me(tmp_path, DEMO_REQUEST)
    assert again.returncode == 0, again.stdout[-3000:]
    assert recap_changed(again.stdout) == 0

    evidence = json.loads(real_report.read_text())
    assert evidence['dry_run'] is False
    for process in (dry, real, again):
        assert_no_personal_data(process.stdout + process.stderr)
    for report in (dry_report, real_report, again_report):
        assert_no_personal_data(report.read_text())
        assert oct(report.stat().st_mode & 0o777) == '0o600'


def test_report_counts_erased_settings(seeded, tmp_path):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    completed, report = forget_me(tmp_path, DEMO_REQUEST)

    assert completed.returncode == 0, completed.stdout[-3000:]
    evidence = json.loads(report.read_text())
    assert evidence['counts']['erased'] == len(expected)
    assert evidence['counts']['not_erasable'] == 1
    assert evidence['scan']['complete'] is True
    assert len(evidence['settings']['erased']) == len(expected)
    assert len(evidence['subjects']) == 2
    assert all(subject['id'].startswith('subj-') for subject in evidence['subjects'])


def test_original_names_search_only(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, {'search': DEMO_EMAIL, 'cleanup': 'false',
                                             'group_name': 'interaction-workspace-personal-favorites',
                                             'cass_keyspace': 'sipfs', 'cass_hostname': '127.0.0.1'})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert report is not None
    assert_no_personal_data(completed.stdout + report.read_text())


def test_missing_subjects_fails_clearly(tmp_path):
    completed, _report = forget_me(tmp_path, {'cleanup': True})

    assert completed.returncode != 0
    assert 'No subjects given' in completed.stdout


def test_wrong_password_fails_without_erasing(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, dict(DEMO_REQUEST, gws_user_password='wrong-password'))

    assert completed.returncode != 0
    assert 'credentials' in completed.stdout
    assert settings_fingerprint(cql) == before
    assert 'wrong-password' not in completed.stdout + report.read_text()
