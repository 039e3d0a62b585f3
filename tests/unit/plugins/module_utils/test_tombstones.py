# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the tombstone purge dates per table."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.gdpr.gws.plugins.module_utils import _tombstones


class _Table(object):
    def __init__(self, gc_grace):
        self.options = {'gc_grace_seconds': gc_grace,
                        'compaction': {'class': 'org.apache.cassandra.db.compaction.LeveledCompactionStrategy'}}


class _Session(object):
    """Just enough of a driver session for table_storage: cluster.metadata.keyspaces[ks].tables."""

    def __init__(self, tables):
        keyspace = type('Keyspace', (), {'tables': tables})()
        metadata = type('Metadata', (), {'keyspaces': {'sipfs': keyspace}})()
        self.cluster = type('Cluster', (), {'metadata': metadata})()


ERASED_AT = datetime.datetime(2026, 3, 1, 10, 15, 2, tzinfo=datetime.timezone.utc)


def test_purge_date_is_erase_time_plus_gc_grace():
    session = _Session({'settings': _Table(864000)})
    [entry] = _tombstones.table_storage(session, 'sipfs', {'settings': 3}, ERASED_AT)
    assert entry == {'table': 'sipfs.settings', 'erased': 3, 'gc_grace_seconds': 864000,
                     'compaction': 'LeveledCompactionStrategy', 'erased_at': '2026-03-01T10:15:02Z',
                     'tombstones_purgeable_from': '2026-03-11T10:15:02Z'}


def test_no_purge_date_without_deletes():
    session = _Session({'settings': _Table(3600), 'recents': _Table(0)})
    entries = _tombstones.table_storage(session, 'sipfs', {'settings': 0, 'recents': 2}, ERASED_AT)
    assert [entry['table'] for entry in entries] == ['sipfs.recents', 'sipfs.settings']
    assert entries[0]['tombstones_purgeable_from'] == '2026-03-01T10:15:02Z'
    assert entries[1]['tombstones_purgeable_from'] is None
    assert entries[1]['erased_at'] is None


def test_dry_run_has_gc_grace_only():
    session = _Session({'settings': _Table(864000)})
    [entry] = _tombstones.table_storage(session, 'sipfs', {'settings': 0})
    assert entry['gc_grace_seconds'] == 864000
    assert entry['tombstones_purgeable_from'] is None


def test_unknown_table_has_no_gc_grace():
    [entry] = _tombstones.table_storage(_Session({}), 'sipfs', {'gone': 1}, ERASED_AT)
    assert entry['gc_grace_seconds'] is None
    assert entry['tombstones_purgeable_from'] is None


def test_erased_per_table_counts_planned_tables():
    planned = [{'table': 'settings'}, {'table': 'recents'}]
    assert _tombstones.erased_per_table(planned, [{'table': 'settings'}]) == {'settings': 1, 'recents': 0}


def test_merge_storage_adds_counts_and_keeps_latest_times():
    first = {'table': 'sipfs.settings', 'erased': 1, 'gc_grace_seconds': 10, 'compaction': None,
             'erased_at': '2026-03-01T10:00:00Z', 'tombstones_purgeable_from': '2026-03-01T10:00:10Z'}
    second = dict(first, erased=2, erased_at='2026-03-01T10:05:00Z', tombstones_purgeable_from='2026-03-01T10:05:10Z')
    [merged] = _tombstones.merge_storage([{'storage': [first]}, {'storage': [second]}, {}])
    assert merged['erased'] == 3
    assert merged['tombstones_purgeable_from'] == '2026-03-01T10:05:10Z'
