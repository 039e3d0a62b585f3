# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of request batches: the request file's checks, the module options and per-request counts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils import _requests
from ansible_collections.gdpr.gws.plugins.module_utils._requests import RequestError
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects

BATCH = {'requests': [
    {'id': 'REQ-1', 'type': 'forget', 'emails': ['jane.doe@example.com'], 'phones': ['+44 20 7946 0958']},
    {'id': 'REQ-2', 'type': 'access', 'emails': ['max.mustermann@example.org']},
    {'id': 'REQ-3', 'type': 'forget', 'phones': ['020 7946 0958']},
]}


def test_batch_to_module_options():
    options = _requests.request_batch(BATCH, default_region='GB')
    assert options['subjects'] == ['jane.doe@example.com', '+44 20 7946 0958', 'max.mustermann@example.org',
                                   '020 7946 0958']
    assert options['requests'] == [{'id': 'REQ-1', 'type': 'forget', 'subjects': [0, 1]},
                                   {'id': 'REQ-2', 'type': 'access', 'subjects': [2]},
                                   {'id': 'REQ-3', 'type': 'forget', 'subjects': [3]}]


def test_yaml_and_json_text_accepted():
    as_json = _requests.request_batch(json.dumps(BATCH), default_region='GB')
    as_yaml = _requests.request_batch('requests:\n  - id: REQ-1\n    type: access\n    emails: [a@example.com]\n')
    assert len(as_json['requests']) == 3
    assert as_yaml['subjects'] == ['a@example.com']


def test_list_without_mapping_accepted():
    assert len(_requests.request_batch(BATCH['requests'], default_region='GB')['requests']) == 3


def entry(**fields):
    base = {'id': 'REQ-9', 'type': 'forget', 'emails': ['jane.doe@example.com']}
    base.update(fields)
    return base


@pytest.mark.parametrize('requests, message', [
    ([entry(id=None)], 'requests[0].id is missing or invalid'),
    ([entry(id='jane.doe@example.com')], 'requests[0].id is missing or invalid'),
    ([entry(), entry()], 'requests[1] (id REQ-9).id is also the id of requests[0]'),
    ([entry(type='delete')], 'requests[0] (id REQ-9).type must be one of: forget, access'),
    ([entry(emails=[], phones=[])], 'requests[0] (id REQ-9) has no subjects'),
    ([entry(phones='+44 20 7946 0958')], 'requests[0] (id REQ-9).phones must be a list'),
    ([entry(phones=[442079460958])], 'requests[0] (id REQ-9).phones[0] must be a string, got int. Quote'),
    ([entry(emails=['+44 20 7946 0958'])], 'requests[0] (id REQ-9).emails[0] is a phone number'),
    ([entry(phones=['jane.doe@example.com'])], 'requests[0] (id REQ-9).phones[0] is an e-mail address'),
    ([entry(emails=['not an address'])], 'requests[0] (id REQ-9).emails[0] is neither'),
    ([entry(subject='x')], 'requests[0] (id REQ-9) has unknown fields: subject'),
    ([entry(), 'REQ-2'], 'requests[1] must be a mapping'),
    ([], 'requests is empty'),
])
def test_invalid_batch_names_entry_and_field(requests, message):
    with pytest.raises(RequestError) as error:
        _requests.request_batch({'requests': requests}, default_region='GB')
    assert message in str(error.value)
    assert 'jane.doe' not in str(error.value)
    assert '7946' not in str(error.value)


@pytest.mark.parametrize('data, message', [
    ({'requests': BATCH['requests'], 'extra': 1}, "single key 'requests'"),
    ('requests: [', 'not valid YAML or JSON at line'),
    ('just text', 'requests must be a list'),
])
def test_invalid_file_rejected(data, message):
    with pytest.raises(RequestError) as error:
        _requests.request_batch(data)
    assert message in str(error.value)


def test_yaml_error_does_not_quote_file():
    with pytest.raises(RequestError) as error:
        _requests.request_batch('requests:\n  - id: REQ-1\n    emails: [jane.doe@example.com\n')
    assert 'jane' not in str(error.value)


@pytest.mark.parametrize('requests, count, message', [
    ([{'id': 'A', 'type': 'forget', 'subjects': [0, 1]}], 3, 'subjects[2] belongs to no request'),
    ([{'id': 'A', 'type': 'forget', 'subjects': [0, 5]}], 2, 'requests[0] (id A).subjects[1] must be an index'),
    ([{'id': 'A', 'type': 'x', 'subjects': [0]}], 1, 'type must be one of'),
    ([{'id': 'A', 'type': 'forget', 'subjects': []}], 1, 'must be a non-empty list'),
    ([{'id': 'A', 'type': 'forget', 'subjects': [0]}, {'id': 'A', 'type': 'forget', 'subjects': [0]}], 1,
     'not unique'),
])
def test_module_requests_checked(requests, count, message):
    with pytest.raises(RequestError) as error:
        _requests.check_module_requests(requests, count)
    assert message in str(error.value)


def test_requests_by_subject_merges_duplicates():
    options = _requests.request_batch(BATCH, default_region='GB')
    subjects = parse_subjects(options['subjects'], default_region='GB', salt=b's')
    by_subject = _requests.requests_by_subject(options['requests'], subjects)
    # '+44 20 7946 0958' and '020 7946 0958' are one subject in two requests.
    phone = [subject for subject in subjects if subject.kind == 'phone'][0]
    assert by_subject[phone.subject_id] == ['REQ-1', 'REQ-3']
    assert len(subjects) == 3


def test_summarize_requests_counts():
    records = [
        {'setting_id': 'set-1', 'requests': ['REQ-1'], 'erasable': True, 'action': 'erase'},
        {'setting_id': 'set-2', 'requests': ['REQ-1', 'REQ-2'], 'erasable': True, 'action': 'erase'},
        {'setting_id': 'set-3', 'requests': ['REQ-2'], 'erasable': True, 'action': 'report'},
        {'setting_id': 'set-4', 'requests': ['REQ-2'], 'erasable': False, 'action': 'report'},
    ]
    requests = [{'id': 'REQ-1', 'type': 'forget'}, {'id': 'REQ-2', 'type': 'access'}]
    summary = _requests.summarize_requests(requests, {'REQ-1': ['subj-a']}, records)
    assert summary[0]['counts'] == {'matches': 2, 'erasable': 2, 'to_erase': 2}
    assert summary[1]['counts'] == {'matches': 3, 'erasable': 2, 'to_erase': 1}
    assert summary[1]['setting_ids'] == ['set-2', 'set-3', 'set-4']
    assert summary[1]['subjects'] == []


def test_summarize_requests_counts_each_record_once():
    records = [
        {'setting_id': 'set-1', 'requests': ['REQ-1', 'REQ-1'], 'erasable': True, 'action': 'erase'},
        {'setting_id': 'set-2', 'erasable': False, 'action': 'report'},
    ]
    requests = [{'id': 'REQ-1', 'type': 'forget'}, {'id': 'REQ-2', 'type': 'forget'}]

    summary = _requests.summarize_requests(requests, {}, records)

    assert summary[0]['counts'] == {'matches': 1, 'erasable': 1, 'to_erase': 1}
    assert summary[0]['setting_ids'] == ['set-1']
    assert summary[1]['counts'] == {'matches': 0, 'erasable': 0, 'to_erase': 0}
    assert summary[1]['setting_ids'] == []


DUPLICATE_KEYS = [
    ('requests:\n  - id: REQ-1\n    type: access\n    emails: [jane.doe@example.com]\n    type: forget\n',
     "requests[0]: key 'type' appears twice, at line 3, column 5 and line 5, column 5"),
    ('{"requests": [{"id": "REQ-1", "type": "access", "emails": ["jane.doe@example.com"], "type": "forget"}]}',
     "requests[0]: key 'type' appears twice"),
    ('- {id: REQ-1, type: access, emails: [jane.doe@example.com]}\n'
     '- {id: REQ-2, type: access, emails: [jane.doe@example.com], emails: [max@example.org]}\n',
     "requests[1]: key 'emails' appears twice"),
    ('requests: []\nrequests:\n  - {id: REQ-1, type: forget, emails: [jane.doe@example.com]}\n',
     "the request file: key 'requests' appears twice"),
    ('requests:\n  - {id: REQ-1, type: forget, emails: [{a: 1, a: 2}]}\n',
     "requests[0].emails[0]: key 'a' appears twice"),
    # A merge key must not replace a field either.
    ('base: &access {type: access}\nrequests:\n  - <<: *access\n    id: REQ-1\n    type: forget\n'
     '    emails: [jane.doe@example.com]\n',
     "requests[0]: key 'type' appears twice"),
    # A key that is not a plain field name may be a subject, so it is not shown.
    ('requests:\n  - {id: REQ-1, type: forget, jane.doe@example.com: 1, jane.doe@example.com: 2}\n',
     'requests[0]: a key that is not a plain name appears twice'),
    # PyYAML constructs 1 and 0x1 as the same int key.
    ('requests:\n  - {id: REQ-1, type: forget, 1: a, 0x1: b}\n', 'requests[0]: a key that is not a plain name'),
]


@pytest.mark.parametrize('text, message', DUPLICATE_KEYS)
def test_duplicate_key_rejected(text, message):
    with pytest.raises(RequestError) as error:
        _requests.request_batch(text)
    assert message in str(error.value)
    assert 'jane' not in str(error.value)
    assert 'forget' not in str(error.value)


def test_duplicate_key_checked_before_fields():
    # The first type is invalid and the second is valid, and neither may win.
    text = 'requests:\n  - id: REQ-1\n    type: delete\n    emails: [jane.doe@example.com]\n    type: forget\n'
    with pytest.raises(RequestError) as error:
        _requests.load_request_file(text)
    assert "key 'type' appears twice" in str(error.value)


def test_alias_without_duplicates_accepted():
    text = ('base: &forget {type: forget}\nrequests:\n  - <<: *forget\n    id: REQ-1\n    emails: &emails [a@example.com]\n'
            '  - {id: REQ-2, type: access, emails: *emails}\n')
    options = _requests.request_batch({'requests': _requests.load_request_file(text)['requests']})
    assert options['requests'] == [{'id': 'REQ-1', 'type': 'forget', 'subjects': [0]},
                                   {'id': 'REQ-2', 'type': 'access', 'subjects': [1]}]


def test_recursive_alias_ends():
    with pytest.raises(RequestError) as error:
        _requests.request_batch('&loop [*loop]')
    assert 'requests[0] must be a mapping' in str(error.value)


@pytest.mark.parametrize('unquoted, type_name', [
    ('0x1A', 'int'), ('010', 'int'), ('1_000', 'int'), ('12:30', 'int'), ('2026', 'int'), ('1.5', 'float'),
    ('2026-01-02', 'date'), ('2026-01-02T10:00:00Z', 'datetime'), ('true', 'bool'), ('[REQ-1]', 'list'),
])
def test_unquoted_id_rejected(unquoted, type_name):
    text = 'requests:\n  - {id: REQ-0, type: access, emails: [a@example.com]}\n' \
           '  - {id: %s, type: access, emails: [b@example.com]}\n' % unquoted
    with pytest.raises(RequestError) as error:
        _requests.request_batch(text)
    assert 'requests[1].id must be a string, got %s. Put it in quotes' % type_name in str(error.value)


@pytest.mark.parametrize('quoted', ['"0x1A"', "'010'", '"1_000"', '"12:30"', '"2026-01-02"'])
def test_quoted_id_kept_as_written(quoted):
    text = 'requests:\n  - {id: %s, type: access, emails: [a@example.com]}\n' % quoted
    assert _requests.request_batch(text)['requests'][0]['id'] == quoted.strip('\'"')


def test_number_id_in_list_rejected():
    with pytest.raises(RequestError) as error:
        _requests.request_batch([entry(id=1001)])
    assert 'requests[0].id must be a string, got int' in str(error.value)


def test_ids_differing_in_case_rejected():
    with pytest.raises(RequestError) as error:
        _requests.request_batch([entry(id='REQ-2'), entry(id='R1'), entry(id='r1')])
    assert str(error.value).startswith('requests[2] (id r1).id differs only in letter case from the id of '
                                       'requests[1] (id R1).')


def test_module_request_ids_differing_in_case_rejected():
    requests = [{'id': 'R1', 'type': 'forget', 'subjects': [0]}, {'id': 'r1', 'type': 'access', 'subjects': [0]}]
    with pytest.raises(RequestError) as error:
        _requests.check_module_requests(requests, 1)
    assert 'requests[1] (id r1).id is not unique' in str(error.value)


def test_oversized_file_rejected_before_parsing():
    # Invalid YAML after the limit shows that the size is checked before the parser runs.
    text = 'requests: []\n' + '#' * _requests.MAX_FILE_BYTES + '\n['
    for data in (text, text.encode('utf-8')):
        with pytest.raises(RequestError) as error:
            _requests.request_batch(data)
        assert 'more than the limit of 8388608 bytes (8 MiB)' in str(error.value)


def test_multibyte_text_counted_in_bytes():
    text = '# ' + '\u00e9' * (_requests.MAX_FILE_BYTES // 2) + '\nrequests: []\n'
    assert len(text) < _requests.MAX_FILE_BYTES
    with pytest.raises(RequestError) as error:
        _requests.request_batch(text)
    assert 'more than the limit' in str(error.value)


def test_largest_batch_fits_size_limit():
    batch = {'requests': [{'id': 'REQ-2026-%06d' % index, 'type': 'forget',
                           'emails': ['first.last.%d@department.example.com' % index, 'p%d@example.org' % index],
                           'phones': ['+44 20 7946 %04d' % index]}
                          for index in range(_requests.MAX_REQUESTS)]}
    text = json.dumps(batch, indent=4)
    assert len(text.encode('utf-8')) < _requests.MAX_FILE_BYTES / 2
    assert len(_requests.request_batch(text, default_region='GB')['requests']) == _requests.MAX_REQUESTS


def test_invalid_utf8_rejected():
    with pytest.raises(RequestError) as error:
        _requests.request_batch(b'requests:\n  - id: \xff\n')
    assert 'not UTF-8 text (invalid byte at offset 18)' in str(error.value)
