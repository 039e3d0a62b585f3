# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""When erased settings leave the disk: gc_grace_seconds and tombstone purge dates per table.

A delete in Cassandra writes a tombstone. The deleted value stays in the SSTables that contain it
until a compaction merges them with the tombstone. The tombstone itself contains the primary key
(owner id, settings group, setting key), and only a compaction that runs after gc_grace_seconds
have passed since the delete can purge it.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _compaction_class(options):
    compaction = options.get('compaction') or {}
    name = compaction.get('class') if hasattr(compaction, 'get') else None
    return str(name).rsplit('.', 1)[-1] if name else None


def table_storage(session, keyspace, erased_per_table, erased_at=None):
    """Return, per table, gc_grace_seconds, the compaction strategy and the earliest tombstone purge time.

    erased_per_table maps table names to the number of settings deleted in them. erased_at is
    the time of the last delete (a timezone-aware datetime), or None when nothing was deleted;
    the purge time is then left empty. A table missing from the schema metadata is listed with
    its gc_grace_seconds as None.
    """
    keyspace_metadata = session.cluster.metadata.keyspaces.get(keyspace)
    tables = []
    for name in sorted(erased_per_table):
        metadata = keyspace_metadata.tables.get(name) if keyspace_metadata is not None else None
        options = metadata.options if metadata is not None else {}
        gc_grace = options.get('gc_grace_seconds')
        purge_from = None
        if erased_at is not None and gc_grace is not None and erased_per_table[name]:
            purge_from = (erased_at + datetime.timedelta(seconds=int(gc_grace))).strftime(TIME_FORMAT)
        tables.append({
            'table': '%s.%s' % (keyspace, name),
            'erased': erased_per_table[name],
            'gc_grace_seconds': gc_grace,
            'compaction': _compaction_class(options),
            'erased_at': erased_at.strftime(TIME_FORMAT) if erased_at is not None and erased_per_table[name] else None,
            'tombstones_purgeable_from': purge_from,
        })
    return tables


def erased_per_table(planned, erased_records):
    """Count the erased settings of each table that had planned deletes; tables with none count 0."""
    counts = dict((record['table'], 0) for record in planned)
    for record in erased_records:
        counts[record['table']] = counts.get(record['table'], 0) + 1
    return counts


def merge_storage(results):
    """Merge the storage lists of hosts that erased in different token slices: counts add up, times are the latest."""
    merged = {}
    for result in results:
        for entry in result.get('storage') or []:
            current = merged.get(entry['table'])
            if current is None:
                merged[entry['table']] = dict(entry)
                continue
            current['erased'] += entry['erased']
            for name in ('erased_at', 'tombstones_purgeable_from'):
                if entry[name] and (current[name] is None or entry[name] > current[name]):
                    current[name] = entry[name]
    return [merged[table] for table in sorted(merged)]
