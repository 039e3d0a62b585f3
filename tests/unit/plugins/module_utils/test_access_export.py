# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the access export: content per request, file mode, no overwrite, file names."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

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


def test_documents_hold_only_the_request_subjects():
    matches = [_setting('fav-1', 'subj-jane'), _setting('fav-2', 'subj-max')]
    rows = [{'table': 'notes', 'primary_key': [('id', 7)], 'hits': [('subj-max', 'note:$')],
             'values': {'note': 'call +44 20 7946 0958'}}]
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
    ('DSR-2031', 'access-DSR-2031-20260102T030405Z-abcdef12.json'),
    ('JIRA/GDPR#12', 'access-JIRA_GDPR_12-20260102T030405Z-abcdef12.json'),
    ('../../etc', 'access-_.._etc-20260102T030405Z-abcdef12.json'),
])
def test_export_file_name_stays_in_directory(request_id, expected):
    name = _access_export.export_file_name(request_id, '2026-01-02T03:04:05Z', 'abcdef12-3456')
    assert name == expected
    assert '/' not in name
