# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the keyspace search scope: which columns are text-like, how values become text, results."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import json
import uuid

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils import _keyspace_scan
from ansible_collections.gdpr.gws.plugins.module_utils._keyspace_scan import column_text, describe_row, holds_text

SALT = b'unit-test-salt'


@pytest.mark.parametrize('cql_type', [
    'text', 'varchar', 'ascii', 'blob', 'list<text>', 'set<varchar>', 'map<int, text>', 'frozen<map<text, blob>>',
    'tuple<int, ascii>', 'frozen<list<frozen<tuple<int, text>>>>', 'contact', 'frozen<list<frozen<contact>>>',
])
def test_holds_text_for_text_like_types(cql_type):
    user_types = {'contact': ['int', 'text'], 'point': ['int', 'int']}
    assert holds_text(cql_type, user_types)


@pytest.mark.parametrize('cql_type', [
    'int', 'bigint', 'uuid', 'timeuuid', 'timestamp', 'boolean', 'list<int>', 'map<uuid, int>', 'point',
    'frozen<point>', 'vector<float, 3>',
])
def test_holds_text_not_for_other_types(cql_type):
    user_types = {'contact': ['int', 'text'], 'point': ['int', 'int']}
    assert not holds_text(cql_type, user_types)


def test_holds_text_survives_recursive_user_types():
    assert not holds_text('node', {'node': ['int', 'frozen<list<frozen<node>>>']})


def test_column_text_of_text_and_blobs():
    assert column_text('plain') == 'plain'
    assert column_text(None) is None
    assert column_text(b'{"email": "a@example.com"}') == '{"email": "a@example.com"}'
    assert column_text(bytearray(b'caf\xc3\xa9')) == u'café'


def test_column_text_replaces_invalid_utf8_in_blob():
    assert column_text(b'\xff\xfe\x00broken') == u'\ufffd\ufffd\x00broken'


def test_column_text_turns_collections_into_json():
    Udt = collections.namedtuple('Udt', ['kind', 'address'])
    value = {'home': Udt('email', 'jane@example.com'), 'tags': {'vip'}, 'id': uuid.UUID(int=1),
             'raw': b'\xff', 'ok': b'text'}
    data = json.loads(column_text(value))
    assert data['home'] == {'kind': 'email', 'address': 'jane@example.com'}
    assert data['tags'] == ['vip']
    assert data['id'] == str(uuid.UUID(int=1))
    assert data['raw'] == u'\ufffd'
    assert data['ok'] == 'text'


def _match(covered=False):
    return {
        'table': 'interaction_notes',
        'covered_by_profile': covered,
        'primary_key': [('agent_id', 'jane.doe@example.com'), ('note_id', uuid.UUID(int=7))],
        'primary_key_types': ['text', 'timeuuid'],
        'columns': ['note'],
        'hits': [('subj-1', 'note:$'), ('subj-1', 'note:$'), ('subj-2', 'note:$.tel')],
        'column_values': {'note': 'write to jane.doe@example.com'},
    }


def test_describe_row_masks_text_keys_and_keeps_uuids():
    record = describe_row(_match(), SALT, 'gws_alt')
    assert record['primary_key']['agent_id'] != 'jane.doe@example.com'
    assert 'jane' not in record['primary_key']['agent_id']
    assert record['primary_key']['note_id'] == str(uuid.UUID(int=7))
    assert record['erasable'] is False
    assert record['reason'].startswith(_keyspace_scan.NOT_ERASABLE)
    assert 'gws_alt.interaction_notes' in record['reason']
    assert record['subjects'] == ['subj-1', 'subj-2']
    assert 'column_values' not in record


def test_describe_row_reveals_with_reveal_pii():
    record = describe_row(_match(), SALT, 'gws_alt', reveal=True)
    assert record['primary_key']['agent_id'] == 'jane.doe@example.com'
    assert record['column_values'] == {'note': 'write to jane.doe@example.com'}


def test_describe_row_names_unmapped_column_of_settings_table():
    record = describe_row(_match(covered=True), SALT, 'gws_alt')
    assert 'does not map the column note' in record['reason']


def test_row_id_is_stable_and_salted():
    first = _keyspace_scan.row_id(SALT, _match())
    assert first == _keyspace_scan.row_id(SALT, _match())
    assert first != _keyspace_scan.row_id(b'other-salt', _match())
    assert first.startswith('row-')
    assert len(first) == 20


def test_merge_host_results_counts_each_row_once():
    scan = {'complete': True, 'keyspace': 'ks', 'tables': ['ks.t'], 'skipped_tables': [], 'rows_scanned': 5,
            'token_ranges': 2, 'token_ranges_done': 2, 'failed_ranges': [], 'undecodable_blobs': 1,
            'duration_seconds': 0.5}
    row = {'row_id': 'row-1', 'table': 't'}
    results = [{'search_scope': 'keyspace', 'unmapped_matches': [row], 'keyspace_scan': scan},
               {'search_scope': 'keyspace', 'unmapped_matches': [row], 'keyspace_scan': dict(scan, complete=False)}]
    merged = _keyspace_scan.merge_host_results(results)
    assert merged['unmapped_matches'] == [row]
    assert merged['keyspace_scan']['rows_scanned'] == 10
    assert merged['keyspace_scan']['complete'] is False
