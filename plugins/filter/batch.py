# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the forget_me role: read a request batch, and merge the results of hosts that share a scan."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The filters are documented in request_batch.yml and merge_results.yml beside this file.

from ansible.errors import AnsibleFilterError

from ansible_collections.gdpr.gws.plugins.module_utils import _keyspace_scan
from ansible_collections.gdpr.gws.plugins.module_utils import _requests
from ansible_collections.gdpr.gws.plugins.module_utils import _tombstones
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import SubjectError

_ERASE_LISTS = ('planned', 'deleted', 'already_gone', 'failed_settings', 'not_attempted', 'not_in_plan')


def request_batch(data, default_region=None):
    try:
        return _requests.request_batch(data, default_region=default_region or None)
    except (_requests.RequestError, SubjectError) as error:
        raise AnsibleFilterError('invalid request batch: %s' % error)


def _slices(results):
    slices = [result.get('scan', {}).get('token_slice') for result in results]
    if not any(slices):
        return None
    return slices


def merge_results(results):
    """Merge the module results of hosts that scanned different token slices into one result.

    Settings found by several hosts count once. The merged scan is complete only when every
    host's scan is complete and the slices i/n of the hosts are exactly 1/n to n/n.
    """
    results = [result for result in results if isinstance(result, dict) and 'scan' in result]
    if not results:
        return {}
    first = results[0]

    matches = {}
    for result in results:
        for record in result.get('matches', []):
            matches.setdefault(record['setting_id'], record)
    records = [matches[setting_id] for setting_id in sorted(matches)]

    complete = all(result['scan'].get('complete') for result in results)
    slices = _slices(results)
    if slices is not None:
        totals = set(int(str(value).split('/')[1]) for value in slices if value)
        indexes = sorted(int(str(value).split('/', maxsplit=1)[0]) for value in slices if value)
        complete = complete and len(totals) == 1 and None not in slices and indexes == list(range(1, totals.pop() + 1))

    per_subject = dict((subject['id'], 0) for subject in first.get('subjects', []))
    per_group = {}
    for record in records:
        for subject in record['subjects']:
            per_subject[subject] = per_subject.get(subject, 0) + 1
        per_group[record['group']] = per_group.get(record['group'], 0) + 1
    erasable = sum(1 for record in records if record['erasable'])

    merged = {
        'subjects': first.get('subjects', []),
        'matches': records,
        'counts': {
            'rows_scanned': sum(result.get('counts', {}).get('rows_scanned', 0) for result in results),
            'matches': len(records),
            'erasable': erasable,
            'not_erasable': len(records) - erasable,
            'per_subject': per_subject,
            'per_group': per_group,
        },
        'scan': {
            'complete': complete,
            'keyspace': first['scan'].get('keyspace'),
            'tables': first['scan'].get('tables', []),
            'token_ranges': sum(result['scan'].get('token_ranges', 0) for result in results),
            'token_ranges_done': sum(result['scan'].get('token_ranges_done', 0) for result in results),
            'failed_ranges': [failed for result in results for failed in result['scan'].get('failed_ranges', [])],
            'token_slices': slices or [],
            'hosts': len(results),
            'duration_seconds': max(result['scan'].get('duration_seconds', 0) for result in results),
        },
        'changed': any(result.get('changed') for result in results),
    }

    requests = first.get('requests') or []
    subjects_of_request = dict((request['id'], request['subjects']) for request in requests)
    merged['requests'] = _requests.summarize_requests(requests, subjects_of_request, records)
    merged.update(_keyspace_scan.merge_host_results(results))

    if any(name in result for result in results for name in _ERASE_LISTS):
        for name in _ERASE_LISTS:
            merged[name] = [record for result in results for record in result.get(name, [])]
        # One host that could not verify its deletes makes the merged result unverified.
        verified = [result.get('verified') for result in results]
        merged['verified'] = None
        if False in verified:
            merged['verified'] = False
        elif True in verified:
            merged['verified'] = True
        merged['storage'] = _tombstones.merge_storage(results)
    diff = _merge_diffs(results)
    if diff is not None:
        merged['diff'] = diff
    return merged


def _merge_diffs(results):
    """Join the diffs of the hosts' results in host order, or return None when no result has a diff.

    The modules' diffs are text with one masked setting per entry, and each host erases only
    the settings of its own token slice, so joining them lists every setting once.
    """
    diffs = [result['diff'] for result in results if isinstance(result.get('diff'), dict)]
    if not diffs:
        return None
    merged = {
        'before': ''.join(diff.get('before') or '' for diff in diffs),
        'after': ''.join(diff.get('after') or '' for diff in diffs),
    }
    for header in ('before_header', 'after_header'):
        if header in diffs[0]:
            merged[header] = diffs[0][header]
    return merged


class FilterModule(object):
    """gdpr.gws filters for request batches and sharded scans."""

    def filters(self):
        return {
            'request_batch': request_batch,
            'merge_results': merge_results,
        }
