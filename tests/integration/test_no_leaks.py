# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test that a forget run leaks no secret and no searched-for personal data.

The playbook gdpr.gws.forget_me runs with -vvv against the secure lab (Cassandra with a password
and TLS, GWS over HTTPS) while the emulator injects faults, so that retries, CSRF refreshes and
their warnings happen. Then the test searches everything the run printed, the evidence report
and the emulator's logs. It looks for the passwords, the extra header's value, the hash salt,
every CSRF token and session id the emulator handed out, and the subjects as they are stored.
A second run with forget_me_reveal_pii shows that the search does find personal data when it is
printed on purpose.
"""

import json
import re

from lab_helpers import ADMIN, DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook

PROXY_SECRET = 'proxy-token-that-must-not-leak'
SALT_SECRET = 'hash-salt-that-must-not-leak'
# The demo subjects as the seed stores them: e-mail in any case, the number with any punctuation.
SUBJECT_PATTERNS = [re.compile(re.escape(DEMO_EMAIL), re.IGNORECASE),
                    re.compile(r'(?:\+?44|0)[\s().-]*20[\s().-]*7946[\s().-]*0958')]


def forget_me(secure_lab, tmp_path, *options, **extra_vars):
    """Run the playbook on the lab inventory, pointed at the secure lab; return (process, report text)."""
    reports = tmp_path / 'reports'
    variables = {
        'subjects': [DEMO_EMAIL, DEMO_PHONE],
        'cleanup': True,
        'forget_me_report_dir': str(reports),
        'forget_me_default_region': 'GB',
        'forget_me_hash_salt': SALT_SECRET,
        'forget_me_cassandra_hosts': ['127.0.0.1'],
        'forget_me_cassandra_port': secure_lab.cql_port,
        'forget_me_cassandra_username': secure_lab.reader[0],
        'forget_me_cassandra_password': secure_lab.reader[1],
        'forget_me_cassandra_ssl': True,
        'forget_me_cassandra_ca_path': secure_lab.ca,
        'forget_me_gws_url': secure_lab.gws_url,
        'forget_me_gws_username': ADMIN[0],
        'forget_me_gws_password': ADMIN[1],
        'forget_me_gws_headers': {'X-Proxy-Token': PROXY_SECRET},
        'forget_me_ca_path': secure_lab.ca,
    }
    variables.update(extra_vars)
    request = tmp_path / 'request.json'
    request.write_text(json.dumps(variables))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % request, *options)
    request.unlink()
    report = max(reports.glob('*.json'), key=lambda path: path.stat().st_mtime)
    return completed, report.read_text()


def emulator_logs(secure_lab):
    directory = secure_lab.lab_dir / 'emulator'
    return dict((name, (directory / name).read_text(errors='replace'))
                for name in ('access.log', 'emulator.log', 'stdout.log') if (directory / name).exists())


def test_forget_run_leaks_nothing(secure_lab, tmp_path):
    secure_lab.seeded()
    secure_lab.dirty = True
    secure_lab.faults.set(
        {'kind': 'throttle', 'retry_after': 0, 'methods': ['DELETE'], 'count': 1},
        {'kind': 'csrf_expiry', 'methods': ['DELETE'], 'skip': 2, 'count': 1},
        {'kind': 'drop', 'methods': ['DELETE'], 'skip': 4, 'count': 1},
        {'kind': 'error', 'status': 503, 'retry_after': 0, 'methods': ['GET'], 'path': '/settings/', 'count': 1})
    try:
        completed, report = forget_me(secure_lab, tmp_path, '-vvv')
        fired = secure_lab.faults.fired()
        issued = secure_lab.faults.issued_secrets()
    finally:
        secure_lab.faults.clear()

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert fired == [1, 1, 1, 1]
    # The run did its job, so the search below looked at a run that handled real data.
    assert json.loads(report)['counts']['erased'] >= 10
    assert 'retry 1 of 3' in output
    assert 'rejected the CSRF token' in output

    secrets = [ADMIN[1], secure_lab.reader[1], PROXY_SECRET, SALT_SECRET] + list(secure_lab.credentials.values())
    assert issued
    texts = dict(emulator_logs(secure_lab), output=output, report=report)
    for name, text in texts.items():
        for secret in secrets + issued:
            assert secret not in text, 'a secret is in %s' % name
        for pattern in SUBJECT_PATTERNS:
            assert not pattern.search(text), 'a subject is in %s' % name


def test_reveal_pii_shows_personal_data(secure_lab, tmp_path):
    secure_lab.seeded()

    completed, report = forget_me(secure_lab, tmp_path, cleanup=False, forget_me_reveal_pii=True)

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert any(pattern.search(output) for pattern in SUBJECT_PATTERNS)
    for pattern in SUBJECT_PATTERNS:
        assert not pattern.search(report)
    assert secure_lab.reader[1] not in output
