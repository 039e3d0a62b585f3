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
