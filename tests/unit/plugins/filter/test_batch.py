# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the request_batch and merge_results filters."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gdpr.gws.plugins.filter.batch import merge_results, request_batch


def record(setting_id, requests=('REQ-1',), action='erase', erasable=True, group='favorites', subjects=('subj-a',)):
    return {'setting_id': setting_id, 'requests': list(requests), 'action': action, 'erasable': erasable,
            'group': group, 'subjects': list(subjects)}


def result(token_slice, records, rows, complete=True, failed=(), **extra):
    value = {
        'subjects': [{'id': 'subj-a', 'kind': 'email', 'masked': 'j***@e***.com'}],
        'matches': records,
        'counts': {'rows_scanned': rows},
        'scan': {'complete': complete, 'keyspace': 'sipfs', 'tables': ['sipfs.settings'], 'token_ranges': 4,
                 'token_ranges_done': 4 - len(failed), 'failed_ranges': list(failed), 'token_slice': token_slice,
                 'duration_seconds': 1.5},
        'requests': [{'id': 'REQ-1', 'type': 'forget', 'subjects': ['subj-a']}],
        'changed': False,
    }
    value.update(extra)
    return value


def test_slices_merged():
    merged = merge_results([result('1/2', [record('set-1')], 10), result('2/2', [record('set-2')], 15)])
    assert [match['setting_id'] for match in merged['matches']] == ['set-1', 'set-2']
    assert merged['counts']['rows_scanned'] == 25
    assert merged['counts']['per_subject'] == {'subj-a': 2}
    assert merged['scan']['complete'] is True
    assert merged['scan']['token_ranges'] == 8
    assert merged['requests'][0]['counts'] == {'matches': 2, 'erasable': 2, 'to_erase': 2}


def test_missing_slice_incomplete():
    merged = merge_results([result('1/3', [], 10), result('3/3', [], 10)])
    assert merged['scan']['complete'] is False


def test_failed_slice_incomplete():
    failed = [{'table': 'sipfs.settings', 'range': [0, 1], 'error': 'ReadFailure'}]
    merged = merge_results([result('1/2', [], 10), result('2/2', [], 10, complete=False, failed=failed)])
    assert merged['scan']['complete'] is False
    assert merged['scan']['failed_ranges'] == failed


def test_same_setting_counted_once():
    merged = merge_results([result(None, [record('set-1')], 10)])
    assert merged['counts']['matches'] == 1
    assert merged['scan']['complete'] is True


def test_erase_lists_joined():
    first = result('1/2', [record('set-1')], 10, planned=[record('set-1')], deleted=[record('set-1')], verified=True,
                   changed=True)
    second = result('2/2', [], 10, planned=[], deleted=[], verified=None)
    merged = merge_results([first, second])
    assert [r['setting_id'] for r in merged['deleted']] == ['set-1']
    assert merged['verified'] is True
    assert merged['changed'] is True


def test_diff_kept_for_one_host():
    diff = {'before': 'set-1 user/agent-1/favorites key=f***\n  {"name": "f***"}\n', 'after': '',
            'before_header': 'settings containing the subjects', 'after_header': 'settings left'}
    merged = merge_results([result(None, [record('set-1')], 10, planned=[record('set-1')], diff=diff)])
    assert merged['diff'] == diff


def test_diffs_of_hosts_joined():
    first = result('1/2', [record('set-1')], 10, planned=[record('set-1')],
                   diff={'before': 'set-1 a\n', 'after': 'set-1 a\n', 'before_header': 'b', 'after_header': 'a'})
    second = result('2/2', [record('set-2')], 10, planned=[record('set-2')],
                    diff={'before': 'set-2 b\n', 'after': '', 'before_header': 'b', 'after_header': 'a'})
    merged = merge_results([first, second])
    assert merged['diff']['before'] == 'set-1 a\nset-2 b\n'
    assert merged['diff']['after'] == 'set-1 a\n'
    assert merged['diff']['before_header'] == 'b'


def test_no_diff_without_module_diff():
    merged = merge_results([result(None, [record('set-1')], 10, planned=[record('set-1')])])
    assert 'diff' not in merged


def test_no_results_empty():
    assert merge_results([None, {}]) == {}


def test_request_batch_error_is_filter_error():
    with pytest.raises(AnsibleFilterError) as error:
        request_batch({'requests': [{'id': 'R', 'type': 'forget'}]})
    assert 'requests[0] (id R) has no subjects' in str(error.value)
