# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the no_log narrowing in module_utils/_common.py.

Each case compares the output of Ansible's own masking with all no_log values against the output
after narrow_no_log_values. The two must be equal, whatever the result contains.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.gdpr.gws.plugins.module_utils import _common

EMAIL = 'jane.doe@example.com'
PHONE = '+442079460958'
PASSWORD = 'pw********'
# A subject typed as national digits, which a number in the result can contain.
DIGITS = '2079460958'
SALT = 'salt-1'


class FakeModule(object):
    """The two attributes of AnsibleModule that narrow_no_log_values reads and sets."""

    def __init__(self, params, no_log_values):
        self.params = params
        self.no_log_values = set(no_log_values)


def params_of(subjects, salt=SALT):
    return {'subjects': list(subjects), 'cassandra_password': PASSWORD, 'hash_salt': salt,
            'cassandra_port': 9042, 'reveal_pii': True, 'requests': [{'id': 'REQ-1', 'subjects': [0]}]}


def masked_by_ansible(module, result):
    """Return the output of AnsibleModule's masking of result with every no_log value."""
    full = dict(copy.deepcopy(result), invocation={'module_args': module.params})
    return remove_values(full, module.no_log_values)


def masked_after_narrowing(module, result):
    result = copy.deepcopy(result)
    _common.narrow_no_log_values(module, result)
    # As AnsibleModule does when the result has no invocation.
    result.setdefault('invocation', {'module_args': module.params})
    return remove_values(result, module.no_log_values)


CASES = [
    ('subjects only in the parameters', {'matches': [{'setting_id': 'set-1', 'value': 'no personal data'}]}, SALT),
    ('subject inside a revealed value', {'matches': [{'value': '{"to": "%s"}' % EMAIL}]}, SALT),
    ('value equal to a subject', {'subjects': [{'masked': EMAIL}]}, SALT),
    ('phone digits in a number', {'counts': {'rows': 442079460958}}, SALT),
    ('password in a message', {'msg': 'login failed for %s' % PASSWORD}, SALT),
    ('masking that writes a password', {'value': 'pw' + EMAIL}, SALT),
    ('salt in a nested list', {'scan': {'failed_ranges': [['x', ('salt-1 and more',)]]}}, SALT),
    ('subject in bytes', {'raw': EMAIL.encode('ascii')}, SALT),
    ('keys are not masked', {EMAIL: 'value'}, SALT),
    # 'LOG' is also part of the placeholder that replaces a whole parameter value.
    ('salt inside the placeholder', {'msg': 'LOG of the run'}, 'LOG'),
    ('salt inside the placeholder, not in the result', {'msg': 'done'}, 'LOG'),
]


@pytest.mark.parametrize('automaton', [True, False], ids=['ahocorasick', 'substring search'])
@pytest.mark.parametrize('name, result, salt', CASES, ids=[case[0] for case in CASES])
def test_narrowing_keeps_masked_output(monkeypatch, automaton, name, result, salt):
    if automaton and not _common.HAS_AHOCORASICK:
        pytest.skip('pyahocorasick is not installed')
    monkeypatch.setattr(_common, 'HAS_AHOCORASICK', automaton)
    subjects = [EMAIL, PHONE, DIGITS, '+1 202-555-0143']
    no_log_values = subjects + [PASSWORD, salt]
    expected = masked_by_ansible(FakeModule(params_of(subjects, salt), no_log_values), result)

    module = FakeModule(params_of(subjects, salt), no_log_values)
    assert masked_after_narrowing(module, result) == expected


def test_narrowing_skipped_when_masking_twice():
    module = FakeModule(params_of([EMAIL], 'LOG'), [EMAIL, PASSWORD, 'LOG'])
    result = {'msg': 'LOG of the run'}

    _common.narrow_no_log_values(module, result)

    assert 'invocation' not in result
    assert module.no_log_values == {EMAIL, PASSWORD, 'LOG'}


def test_narrowing_drops_absent_values():
    subjects = ['subject-%d@example.com' % number for number in range(1000)]
    module = FakeModule(params_of(subjects), subjects + [PASSWORD, SALT])
    result = {'matches': [{'value': 'contact subject-7@example.com'}], 'msg': 'done'}

    _common.narrow_no_log_values(module, result)

    # The password stays because masking another value could write its '*'.
    assert module.no_log_values == {'subject-7@example.com', PASSWORD}
    assert result['invocation']['module_args']['subjects'] == ['VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'] * 1000
    assert result['invocation']['module_args']['hash_salt'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_narrowing_finds_overlapping_values():
    # The three values overlap in the text: 'e.com.a' starts inside 'doe@example.com', which contains 'example'.
    values = ['doe@example.com', 'e.com.a', 'example']
    module = FakeModule({'subjects': values}, values)

    _common.narrow_no_log_values(module, {'value': 'jane.doe@example.com.au'})

    assert module.no_log_values == set(values)
