# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of request files that YAML would read differently from what the operator wrote.

Each test runs the playbook with -e request_file=FILE and cleanup=true against the lab. The run must
stop before the search with a message that names the request and the field, and Cassandra must be
unchanged afterwards.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_env, ansible_playbook,
                         settings_fingerprint)

TEST_EMAIL = 'max.mustermann@example.org'


def forget_me(tmp_path, request_text, name='batch.yml'):
    """Write request_text to a request file and run the playbook with cleanup; return the process."""
    request_file = tmp_path / name
    request_file.write_text(request_text)
    variables = tmp_path / 'vars.json'
    variables.write_text(json.dumps({'request_file': str(request_file), 'cleanup': True,
                                     'forget_me_report_dir': str(tmp_path / 'reports')}))
    return ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                            LAB_VAULT_PASSWORD, '-e', '@%s' % variables)


def assert_rejected_before_search(completed, message):
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert message in completed.stdout, completed.stdout[-3000:]
    assert 'Search Cassandra' not in completed.stdout
    for value in (DEMO_EMAIL, '7946 0958', TEST_EMAIL):
        assert value not in output


def test_repeated_type_key_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    # PyYAML keeps the last of repeated keys, which would make this access request a forget request.
    text = ('requests:\n'
            '  - id: REQ-2026-0001\n'
            '    type: access\n'
            '    emails: [%s]\n'
            '    type: forget\n' % DEMO_EMAIL)

    completed = forget_me(tmp_path, text)

    assert_rejected_before_search(completed, "requests[0]: key 'type' appears twice, at line 3, column 5 and "
                                             'line 5, column 5')
    assert settings_fingerprint(cql) == before


def test_repeated_key_in_json_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    text = json.dumps({'requests': [{'id': 'REQ-1', 'type': 'forget', 'emails': [TEST_EMAIL]}]})
    text = text.replace('"type": "forget"', '"type": "access", "type": "forget"')

    completed = forget_me(tmp_path, text, name='batch.json')

    assert_rejected_before_search(completed, "requests[0]: key 'type' appears twice")
    assert settings_fingerprint(cql) == before


def test_repeated_key_in_vault_file_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    plain = tmp_path / 'plain.yml'
    plain.write_text('requests:\n  - {id: REQ-1, type: access, emails: [%s], type: forget}\n' % DEMO_EMAIL)
    vault = tmp_path / 'batch.vault.yml'
    encrypted = subprocess.run(
        [str(Path(sys.executable).parent / 'ansible-vault'), 'encrypt', '--vault-password-file',
         str(LAB_VAULT_PASSWORD), '--output', str(vault), str(plain)],
        env=ansible_env(), capture_output=True, text=True, timeout=120, check=False)
    assert encrypted.returncode == 0, encrypted.stderr
    plain.unlink()

    completed = forget_me(tmp_path, vault.read_text(), name='batch.yml')

    assert_rejected_before_search(completed, "requests[0]: key 'type' appears twice")
    assert settings_fingerprint(cql) == before


def test_unquoted_ids_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    for unquoted, type_name in (('0x1A', 'int'), ('010', 'int'), ('12:30', 'int'), ('2026-01-02', 'date')):
        text = ('requests:\n'
                '  - {id: REQ-1, type: forget, emails: [%s]}\n'
                '  - {id: %s, type: forget, phones: ["%s"]}\n' % (DEMO_EMAIL, unquoted, DEMO_PHONE))

        completed = forget_me(tmp_path, text)

        assert_rejected_before_search(completed, 'requests[1].id must be a string, got %s. Put it in quotes'
                                      % type_name)
    assert settings_fingerprint(cql) == before


def test_ids_differing_in_case_rejected(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    text = ('requests:\n'
            '  - {id: REQ-1, type: forget, emails: [%s]}\n'
            '  - {id: req-1, type: access, emails: [%s]}\n' % (DEMO_EMAIL, TEST_EMAIL))

    completed = forget_me(tmp_path, text)

    assert_rejected_before_search(completed, 'requests[1] (id req-1).id differs only in letter case from the id of '
                                             'requests[0] (id REQ-1)')
    assert settings_fingerprint(cql) == before


def test_oversized_file_rejected_quickly(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    entry = '{"id": "REQ-%06d", "type": "forget", "emails": ["person%d@example.org"]}'
    text = '{"requests": [\n' + ',\n'.join(entry % (index, index) for index in range(200000)) + '\n]}\n'
    assert len(text) > 8 * 1024 * 1024

    started = time.monotonic()
    completed = forget_me(tmp_path, text, name='batch.json')
    elapsed = time.monotonic() - started

    assert_rejected_before_search(completed, 'more than the limit of 8388608 bytes (8 MiB)')
    # Parsing this file takes about 20 s with PyYAML's C loader and about 60 s without it, and the run
    # before the parse takes a few seconds.
    assert elapsed < 15
    assert settings_fingerprint(cql) == before
