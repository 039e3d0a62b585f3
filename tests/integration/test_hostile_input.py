# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of malformed and hostile input to gdpr.gws.personal_data on the lab.

Every case is something an operator can type wrong at 3 a.m., or something crafted to slip past
a check. All cases run in one ansible-playbook run against the reseeded lab (fixture case_run).
Each case has otherwise valid options that would erase the demo subjects, and each test checks
its own error message. The run as a whole must not change anything: every row keeps its value and
write time, and the GWS emulator receives no request at all.
"""

import json
import os
import subprocess
import sys

import pytest

from fault_helpers import AccessLog, LAB_DIR, full_fingerprint
from lab_helpers import ADMIN, CQL_PORT, DEMO_EMAIL, DEMO_PHONE, REPO, SEED_ROWS, ansible_playbook, lab_connection

URL_SECRET = 'password-typed-into-the-url'

# (case name, options that replace the valid request below, expected part of the message)
CASES = [
    ('empty_subjects', {'subjects': []}, 'subjects is empty'),
    ('email_without_domain', {'subjects': ['jane.doe@']}, 'subjects[0] is not a valid e-mail address'),
    ('email_without_dot', {'subjects': ['jane.doe@example']}, 'the domain has no dot'),
    ('email_two_at_signs', {'subjects': ['jane.doe@@example.com']}, 'more than one @'),
    ('email_with_space', {'subjects': ['jane doe@example.com']}, 'it contains whitespace'),
    ('phone_too_short', {'subjects': [DEMO_EMAIL, '+44 20 7946']}, 'subjects[1] is not a valid phone number'),
    ('phone_unknown_country', {'subjects': ['+999 1234 5678']}, 'country calling code is not assigned'),
    ('one_character', {'subjects': ['x']}, 'too short (1 character)'),
    ('free_text', {'subjects': ['Jane Doe']}, 'Free-text search is not supported'),
    ('very_long_subject', {'subjects': ['a' * 5000 + '@example.com']}, 'subjects[0] is too long (5012 characters'),
    ('subject_with_line_break', {'subjects': [DEMO_EMAIL + '\nBcc: x@example.org']}, 'control character'),
    ('subject_with_nul', {'subjects': [DEMO_EMAIL + '\x00']}, 'control character'),
    ('region_uk', {'default_region': 'UK'}, "default_region 'UK' is not a region code"),
    ('header_name_crlf', {'gws_headers': {'X-Evil\r\nX-Injected': 'header-value'}}, 'invalid header name'),
    ('header_name_nul', {'gws_headers': {'X-Evil\x00': 'header-value'}}, 'invalid header name'),
    ('header_name_trailing_lf', {'gws_headers': {'X-Evil\n': 'header-value'}}, 'invalid header name'),
    ('header_value_crlf', {'gws_headers': {'X-Evil': 'header-value\r\nX-Injected: 1'}}, 'contains a line break or NUL'),
    ('header_value_nul', {'gws_headers': {'X-Evil': 'header-value\x00'}}, 'contains a line break or NUL'),
    ('header_value_mapping', {'gws_headers': {'X-Evil': {'nested-key': 'nested-value'}}},
     'gws_headers value of X-Evil must be a string'),
    ('headers_not_json', {'gws_additional_headers': '{not json'}, 'gws_headers is not valid JSON'),
    ('headers_json_list', {'gws_additional_headers': '["X-A", "b"]'}, 'gws_headers must be a mapping'),
    ('headers_json_number', {'gws_additional_headers': '42'}, 'gws_headers must be a mapping'),
    ('headers_set_authorization', {'gws_headers': {'Authorization': 'Basic eDp5'}}, 'must not set Authorization'),
    ('headers_set_cookie', {'gws_headers': {'Cookie': 'JSESSIONID=1'}}, 'must not set Cookie'),
    ('url_without_scheme', {'gws_url': '127.0.0.1:8090'}, 'gws_url must start with http:// or https://'),
    ('url_other_scheme', {'gws_url': 'ftp://127.0.0.1:8090'}, 'gws_url must start with http:// or https://'),
    ('url_with_password', {'gws_url': 'http://lab-admin:%s@127.0.0.1:8090' % URL_SECRET},
     'gws_url must not contain a user name or password'),
    ('url_port_zero', {'gws_url': 'http://127.0.0.1:0'}, 'gws_url has an invalid port'),
    ('url_port_too_large', {'gws_url': 'http://127.0.0.1:99999'}, 'gws_url has an invalid port'),
    ('url_with_api_path', {'gws_url': 'http://127.0.0.1:8090/api/v2/'}, 'without /api/v2'),
    ('url_with_line_break', {'gws_url': 'http://127.0.0.1:8090\r\nX-Injected: a'}, 'without spaces, line breaks'),
    ('url_with_query', {'gws_url': 'http://127.0.0.1:8090/?debug=1'}, 'query or fragment'),
    ('url_missing', {'gws_url': None}, 'gws_url is required unless in check mode'),
    ('gws_username_missing', {'gws_username': None}, 'gws_username and gws_password are required'),
    ('cassandra_port_zero', {'cassandra_port': 0}, 'cassandra_port must be between 1 and 65535, got 0'),
    ('cassandra_port_negative', {'cassandra_port': -9042}, 'cassandra_port must be between 1 and 65535'),
    ('cassandra_port_too_large', {'cassandra_port': 70000}, 'cassandra_port must be between 1 and 65535'),
    ('cassandra_port_text', {'cassandra_port': 'nine'}, 'cassandra_port'),
    ('host_with_port', {'cassandra_hosts': ['cassandra1.example.com:9042']}, 'cassandra_hosts[0] contains a port'),
    ('host_with_scheme', {'cassandra_hosts': ['cql://cassandra1']}, 'cassandra_hosts[0] is not a valid host'),
    ('host_with_line_break', {'cassandra_hosts': ['127.0.0.1\n']}, 'cassandra_hosts[0] is not a valid host'),
    ('no_hosts', {'cassandra_hosts': []}, 'at least one contact point'),
    ('consistency_serial', {'consistency_level': 'SERIAL'}, 'consistency_level must be one of'),
    ('consistency_lower_case', {'consistency_level': 'local_quorum'}, 'consistency_level must be one of'),
    ('consistency_unknown', {'consistency_level': 'MOST'}, 'consistency_level must be one of'),
    ('group_with_slash', {'groups': ['interaction-workspace/../settings']}, 'groups[0] is not a valid settings group'),
    ('group_empty', {'groups': ['']}, 'groups[0] is not a valid settings group'),
    ('keyspace_with_quote', {'cassandra_keyspace': 'sipfs"; DROP KEYSPACE sipfs; --'}, 'cassandra_keyspace must be'),
    ('keyspace_with_dash', {'cassandra_keyspace': 'sip-fs'}, 'cassandra_keyspace must be'),
    ('max_deletions_negative', {'max_deletions': -1}, 'max_deletions must be 0 or more'),
    ('gws_timeout_zero', {'gws_timeout': 0}, 'gws_timeout must be at least 1'),
    ('gws_retries_too_many', {'gws_retries': 50}, 'gws_retries must be between 0 and 10'),
    ('token_ranges_zero', {'token_ranges': 0}, 'token_ranges must be at least 1'),
    ('scan_concurrency_too_high', {'scan_concurrency': 1000}, 'scan_concurrency must be at most 64'),
    ('password_without_user', {'cassandra_password': 'x'}, 'cassandra_password is set but cassandra_username'),
    ('ca_path_without_ssl', {'cassandra_ca_path': '/etc/hostname'}, 'cassandra_ssl is false'),
    ('validate_certs_without_ssl', {'cassandra_validate_certs': False}, 'cassandra_ssl is false'),
    ('cassandra_ca_missing', {'cassandra_ssl': True, 'cassandra_ca_path': '/nonexistent/ca.pem'},
     'cassandra_ca_path /nonexistent/ca.pem is not a readable file'),
    ('cassandra_ca_not_pem', {'cassandra_ssl': True, 'cassandra_ca_path': '/etc/hostname'},
     'is not a PEM CA certificate'),
    ('gws_ca_missing', {'ca_path': '/nonexistent/gws-ca.pem'}, 'ca_path /nonexistent/gws-ca.pem is not a readable'),
    ('gws_ca_not_pem', {'ca_path': '/etc/hostname'}, 'ca_path /etc/hostname is not a PEM CA certificate'),
    ('state_present', {'state': 'present'}, 'state must be one of'),
    ('profile_delete_without_key', {'settings_profile': {
        'tables': [{'name': 'settings', 'scope_column': 'scope', 'owner_column': 'owner_id',
                    'group_column': 'group_name', 'key_column': 'setting_key', 'value_column': 'value'}],
        'requests': {scope: {'groups': '/g', 'read': '/r', 'delete': {'url': '/d', 'body': {'name': 'all'}}}
                     for scope in ('user', 'contact-center')}}},
     'must contain {key}, so that a delete always names one setting'),
]


def valid_request():
    """Return a request that erases the demo subjects, so that a case that slips through a check deletes."""
    options = lab_connection()
    options.update(subjects=[DEMO_EMAIL, DEMO_PHONE], default_region='GB')
    return options


def case_arguments(overrides):
    arguments = valid_request()
    for name, value in overrides.items():
        if name == 'gws_additional_headers':
            arguments.pop('gws_headers', None)
        if value is None:
            arguments.pop(name, None)
        else:
            arguments[name] = value
    return arguments


@pytest.fixture(scope='module')
def case_run(cql, tmp_path_factory):
    """Reseed the lab, run every case in one playbook run, and return what the tests check."""
    directory = tmp_path_factory.mktemp('hostile')
    seed = subprocess.run([sys.executable, str(REPO / 'tests' / 'lab' / 'seed.py'), '--rows', str(SEED_ROWS),
                           '--random-seed', '42', '--cassandra-port', str(CQL_PORT)],
                          cwd=str(REPO), capture_output=True, text=True, timeout=300, check=False)
    assert seed.returncode == 0, seed.stderr[-2000:]
    before = full_fingerprint(cql)
    access_log = AccessLog(LAB_DIR / 'emulator' / 'access.log')

    result_file = directory / 'results.json'
    variables = directory / 'cases.json'
    names = [name for name, overrides, message in CASES]
    cases = dict((name, case_arguments(overrides)) for name, overrides, message in CASES)
    variables.write_text(json.dumps({'cases': cases, 'case_names': names, 'result_file': str(result_file)}))
    completed = ansible_playbook('-i', 'localhost,', '-c', 'local', 'tests/integration/playbooks/run_module_cases.yml',
                                 '-e', '@%s' % variables)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    os.unlink(str(variables))

    results = json.loads(result_file.read_text())
    return {
        'results': dict(zip(names, results)),
        'output': completed.stdout + completed.stderr,
        'requests': access_log.requests(),
        'unchanged': full_fingerprint(cql) == before,
    }


@pytest.mark.parametrize('name, overrides, message', CASES, ids=[case[0] for case in CASES])
def test_invalid_input_rejected(case_run, name, overrides, message):
    result = case_run['results'][name]

    assert result.get('failed') is True, 'case %s was accepted' % name
    assert message in result['msg']
    assert result.get('deleted', []) == []
    assert result.get('changed') is False


def test_invalid_input_deletes_nothing(case_run):
    assert len(case_run['results']) == len(CASES)
    # Every case fails its checks before the module sends anything, so GWS receives no request at all.
    assert case_run['requests'] == []
    assert case_run['unchanged'] is True


def test_invalid_input_leaks_nothing(case_run):
    output = case_run['output'] + json.dumps(case_run['results'])
    assert ADMIN[1] not in output
    assert URL_SECRET not in output
    assert DEMO_EMAIL not in output
    assert '7946 0958' not in output
