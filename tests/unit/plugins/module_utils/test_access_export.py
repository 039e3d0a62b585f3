# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the access export: content per request, file mode, no overwrite, file names."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import stat

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils import _access_export
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import Subject

JANE = Subject('email', 'jane.doe@example.com', 'subj-jane', 'j***@e***.com')
MAX = Subject('phone', '+442079460958', 'subj-max', '+44*******958')


def _setting(key, subject_id):
    return {'table': 'settings', 'scope': 'user', 'owner_id': 'agent-1', 'group': 'favorites', 'key': key,
            'value': json.dumps({'name': key, 'note': 'x'}), 'hits': [(subject_id, '$.note')]}


def _row(table, subject_id, column_values, matched=('note',)):
    """Return a row in the shape scan_keyspace gives it with keep_values."""
    return {'table': table, 'covered_by_profile': False, 'primary_key': [('id', 7)], 'primary_key_types': ['int'],
            'columns': list(matched), 'hits': [(subject_id, '%s:$' % column) for column in matched],
            'column_values': column_values}


def test_documents_hold_only_the_request_subjects():
    matches = [_setting('fav-1', 'subj-jane'), _setting('fav-2', 'subj-max')]
    rows = [_row('notes', 'subj-max', {'note': 'call +44 20 7946 0958'})]
    documents = _access_export.documents_for_requests(
        [('DSR-1', ['subj-jane']), ('DSR-2', ['subj-max'])], [JANE, MAX], matches, rows, 'sipfs',
        '2026-01-02T03:04:05Z', run_id='run-1')

    first_id, first = documents[0]
    assert first_id == 'DSR-1'
    assert [setting['key'] for setting in first['settings']] == ['fav-1']
    assert first['settings'][0]['value'] == {'name': 'fav-1', 'note': 'x'}
    assert first['settings'][0]['subjects'] == ['jane.doe@example.com']
    assert first['subjects'] == [{'id': 'subj-jane', 'kind': 'email', 'value': 'jane.doe@example.com'}]
    assert first['other_rows'] == []

    second = documents[1][1]
    assert [setting['key'] for setting in second['settings']] == ['fav-2']
    assert second['other_rows'][0]['primary_key'] == {'id': '7'}
    assert second['other_rows'][0]['columns'] == {'note': 'call +44 20 7946 0958'}


def test_write_export_mode_and_directory(tmp_path):
    path = tmp_path / 'exports' / 'access-DSR-1.json'
    old_umask = os.umask(0)
    try:
        written = _access_export.write_export(str(path), {'settings': [], 'other_rows': []})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert written['bytes'] == path.stat().st_size
    assert json.loads(path.read_text()) == {'settings': [], 'other_rows': []}


def test_write_export_never_overwrites(tmp_path):
    path = tmp_path / 'access.json'
    path.write_text('earlier export')
    with pytest.raises(_access_export.ExportError, match='exists already'):
        _access_export.write_export(str(path), {'settings': [], 'other_rows': []})
    assert path.read_text() == 'earlier export'


def test_write_export_rejects_symlink(tmp_path):
    target = tmp_path / 'elsewhere.json'
    link = tmp_path / 'access.json'
    link.symlink_to(target)
    with pytest.raises(_access_export.ExportError):
        _access_export.write_export(str(link), {'settings': [], 'other_rows': []})
    assert not target.exists()


def test_write_export_warns_about_open_directory(tmp_path):
    os.chmod(str(tmp_path), 0o755)
    written = _access_export.write_export(str(tmp_path / 'a.json'), {'settings': [], 'other_rows': []})
    assert 'accessible to other users' in written['warning']


@pytest.mark.parametrize('request_id, expected', [
    ('DSR-2031', 'access-DSR-2031-%s-20260102T030405Z-abcdef12.json'),
    ('JIRA/GDPR#12', 'access-JIRA_GDPR_12-%s-20260102T030405Z-abcdef12.json'),
    ('../../etc', 'access-_.._etc-%s-20260102T030405Z-abcdef12.json'),
])
def test_export_file_name_stays_in_directory(request_id, expected):
    name = _access_export.export_file_name(request_id, '2026-01-02T03:04:05Z', 'abcdef12-3456')
    assert name == expected % hashlib.sha256(request_id.encode('utf-8')).hexdigest()[:8]
    assert '/' not in name


def test_export_file_names_differ_for_similar_ids():
    names = set(_access_export.export_file_name(request_id, '2026-01-02T03:04:05Z', 'abcdef12-3456')
                for request_id in ('A/1', 'A:1', 'A_1', 'a_1'))
    assert len(names) == 4


def test_other_rows_hold_matched_column_values():
    row = _row('contacts', 'subj-jane', {'note': '{"mail": "jane.doe@example.com"}', 'city': 'Leeds'})
    document = _access_export.build_export([JANE], [], [row], 'gws_alt', '2026-01-02T03:04:05Z')
    assert document['other_rows'][0]['columns'] == {'note': {'mail': 'jane.doe@example.com'}}


def test_other_rows_without_values_rejected():
    row = _row('contacts', 'subj-jane', {})
    message = 'matched columns note of a row of the table contacts are missing'
    with pytest.raises(_access_export.ExportError, match=message):
        _access_export.build_export([JANE], [], [row], 'gws_alt', '2026-01-02T03:04:05Z')


def test_write_exports_removes_earlier_files_on_failure(tmp_path):
    first = tmp_path / 'access-A.json'
    existing = tmp_path / 'access-B.json'
    existing.write_text('earlier export')
    with pytest.raises(_access_export.ExportError, match='The 1 exports written before it were removed'):
        _access_export.write_exports([(str(first), {'settings': [], 'other_rows': []}),
                                      (str(existing), {'settings': [], 'other_rows': []})])
    assert not first.exists()
    assert existing.read_text() == 'earlier export'


def test_write_exports_writes_every_file(tmp_path):
    paths = [tmp_path / 'access-A.json', tmp_path / 'access-B.json']
    written = _access_export.write_exports([(str(path), {'settings': [], 'other_rows': []}) for path in paths])
    assert [entry['path'] for entry in written] == [str(path) for path in paths]
    assert all(path.exists() for path in paths)
