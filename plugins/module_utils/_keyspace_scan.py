# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Search scope keyspace: every text-like column of every table, beyond the settings profile.

The settings scan reads only the key and value columns of the profile's tables. This scan
reads the rest of the keyspace, so that a subject stored where the collection cannot erase it
is reported as found instead of being missed.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import hmac
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.gdpr.gws.plugins.module_utils._masking import mask_value, warn_masked
from ansible_collections.gdpr.gws.plugins.module_utils._scan import (
    MIN_TOKEN, READ_ERRORS, RETRY_DELAY, ScanError, decode_blob, read_range_pages, token_ranges)

SEARCH_SCOPES = ('settings', 'keyspace')

# CQL types whose values are read as text. Blobs are decoded as UTF-8, with U+FFFD for invalid bytes.
TEXT_TYPES = ('text', 'varchar', 'ascii')
BLOB_TYPE = 'blob'
# Types whose values cannot hold an e-mail address or a phone number, so their key values are shown unmasked.
_ID_TYPES = ('uuid', 'timeuuid')
_TYPE_WORDS = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
_MAPPED_ROLES = ('scope_column', 'owner_column', 'group_column', 'key_column', 'value_column')

NOT_ERASABLE = 'found, not erasable by this collection'


class KeyspaceScanResult(object):
    """Outcome of a keyspace scan: matching rows, the tables read and skipped, and the token ranges read."""

    def __init__(self):
        self.matches = []
        self.rows_scanned = 0
        self.ranges_total = 0
        self.ranges_done = 0
        self.failed_ranges = []
        self.tables = []
        self.skipped_tables = []
        # Blob values that are not valid UTF-8. They are still searched, with U+FFFD for the invalid bytes.
        self.undecodable_blobs = 0
        self.duration = 0.0

    @property
    def complete(self):
        return not self.failed_ranges and self.ranges_done == self.ranges_total


def holds_text(cql_type, user_types=None, _seen=None):
    """Return True when values of cql_type can contain text: text, varchar, ascii, blob, or a collection,
    tuple or user-defined type with one of them inside."""
    user_types = user_types or {}
    seen = _seen or set()
    for word in _TYPE_WORDS.findall(cql_type or ''):
        word = word.lower()
        if word in TEXT_TYPES or word == BLOB_TYPE:
            return True
        if word in user_types and word not in seen:
            seen.add(word)
            if any(holds_text(field_type, user_types, seen) for field_type in user_types[word]):
                return True
    return False


def _user_types(keyspace_metadata):
    """Return {type name: [field CQL types]} of the keyspace's user-defined types."""
    types = {}
    for name, user_type in (getattr(keyspace_metadata, 'user_types', None) or {}).items():
        types[name.lower()] = [str(field_type) for field_type in getattr(user_type, 'field_types', ())]
    return types


def _plain(value):
    """Convert a collection, tuple or UDT value of the driver into JSON-compatible data.

    Blobs inside become text as decode_blob() returns it; values JSON cannot hold (uuid,
    timestamps, decimals) become their text form.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return decode_blob(value)[0]
    if hasattr(value, '_asdict'):
        return dict((str(name), _plain(item)) for name, item in value._asdict().items())
    if hasattr(value, 'items'):
        return dict((str(_plain(key)), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, '__iter__'):
        return [_plain(item) for item in value]
    return str(value)


def column_text(value):
    """Return a column value as text for the matcher, or None when it is null.

    Text is returned as it is, blobs are decoded as UTF-8 with U+FFFD for invalid bytes (as the
    settings scan reads them), and collections, tuples and UDT values become JSON, which the
    matcher walks like a setting.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return decode_blob(value)[0]
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)


class KeyspaceTable(object):
    """Read plan for one table: its primary key, the columns to search and how to read a token range."""

    def __init__(self, session, keyspace, metadata, search_columns, settings_columns, fetch_size):
        self.name = metadata.name
        self.keyspace = keyspace
        self.primary_key = [column.name for column in metadata.primary_key]
        self.primary_key_types = [str(column.cql_type) for column in metadata.primary_key]
        self.search_columns = search_columns
        # The key and value columns of a settings table: a row that matches in them is the settings
        # scan's to report and to erase, so this scan leaves it out.
        self.settings_columns = settings_columns
        self.covered_by_profile = bool(settings_columns)
        selected = list(self.primary_key)
        for column in search_columns + settings_columns:
            if column not in selected:
                selected.append(column)
        self.selected = selected
        partition_key = ', '.join(_quote(column.name) for column in metadata.partition_key)
        select = 'SELECT %s FROM %s.%s' % (', '.join(_quote(c) for c in selected), _quote(keyspace), _quote(self.name))
        self.first_range = session.prepare(
            '%s WHERE token(%s) >= ? AND token(%s) <= ?' % (select, partition_key, partition_key))
        self.next_range = session.prepare(
            '%s WHERE token(%s) > ? AND token(%s) <= ?' % (select, partition_key, partition_key))
        for statement in (self.first_range, self.next_range):
            statement.fetch_size = fetch_size
        self.session = session

    def read_range(self, token_range):
        """Yield the rows of one token range as dicts of column name to value, page by page.

        Each page is a request of its own (see read_range_pages), so request_timeout bounds every page.
        """
        for page in read_range_pages(self.session, self.first_range, self.next_range, token_range):
            for row in page:
                yield dict(zip(self.selected, row))


def _quote(identifier):
    return '"%s"' % identifier.replace('"', '""')


def plan_tables(session, keyspace, profile, fetch_size=1000):
    """Return (tables to read, tables skipped with the reason) for a keyspace scan.

    Tables that the profile does not list are searched in every text-like column. A profile
    table is searched only in the text-like columns the profile does not map, because the
    settings scan reads its key and value, and scope, owner and group hold ids.
    """
    keyspaces = session.cluster.metadata.keyspaces
    if keyspace not in keyspaces:
        raise ScanError("keyspace '%s' not found in the cluster; check cassandra_keyspace" % keyspace)
    keyspace_metadata = keyspaces[keyspace]
    user_types = _user_types(keyspace_metadata)
    profile_tables = dict((table['name'], table) for table in profile['tables'])

    planned = []
    skipped = []
    for name in sorted(keyspace_metadata.tables):
        metadata = keyspace_metadata.tables[name]
        text_columns = [column.name for column in metadata.columns.values()
                        if holds_text(str(column.cql_type), user_types)]
        profile_table = profile_tables.get(name)
        settings_columns = []
        if profile_table is not None:
            mapped = set(profile_table[role] for role in _MAPPED_ROLES if profile_table.get(role))
            text_columns = [column for column in text_columns if column not in mapped]
            settings_columns = [profile_table['key_column'], profile_table['value_column']]
            if not text_columns:
                skipped.append({'table': '%s.%s' % (keyspace, name),
                                'reason': 'settings table; every text-like column is mapped by the settings profile'})
                continue
        elif not text_columns:
            skipped.append({'table': '%s.%s' % (keyspace, name), 'reason': 'no text-like column'})
            continue
        planned.append(KeyspaceTable(session, keyspace, metadata, text_columns, settings_columns, fetch_size))

    # Materialized views repeat rows of their base table, which this scan reads already.
    for name in sorted(getattr(keyspace_metadata, 'views', None) or {}):
        skipped.append({'table': '%s.%s' % (keyspace, name), 'reason': 'materialized view of a table that is scanned'})
    return planned, skipped


def scan_keyspace(session, keyspace, profile, matcher, concurrency=4, fetch_size=1000, split_count=64, retries=2,
                  token_slice=None, keep_values=True):
    """Search every text-like column of the keyspace outside the settings profile; return a KeyspaceScanResult.

    Token ranges are read by `concurrency` threads and retried like the settings scan. Each match
    contains the table, the primary key as (column, value) pairs, the columns that matched, the
    (subject id, location) hits and, with keep_values, the text of every searched column.
    """
    result = KeyspaceScanResult()
    started = time.monotonic()
    lock = threading.Lock()
    tables, result.skipped_tables = plan_tables(session, keyspace, profile, fetch_size)
    result.tables = ['%s.%s' % (keyspace, table.name) for table in tables]
    work = [(table, token_range) for table in tables for token_range in token_ranges(split_count, token_slice)]
    result.ranges_total = len(work)

    def match_of(table, row):
        hits = []
        values = {}
        undecodable = 0
        for column in table.search_columns:
            value = row.get(column)
            if isinstance(value, (bytes, bytearray)):
                # A blob with invalid UTF-8 is counted, and still searched like the settings scan does.
                text, valid = decode_blob(value)
                undecodable += 0 if valid else 1
            else:
                text = column_text(value)
            if text is None:
                continue
            values[column] = text
            if not matcher.may_contain(text):
                continue
            hits.extend((hit.subject_id, '%s:%s' % (column, hit.location)) for hit in matcher.find(text))
        if not hits:
            return None, undecodable

        # A settings row that also matches in its key or value is the settings scan's match, erased as a whole row.
        for column in table.settings_columns:
            text = column_text(row.get(column))
            if text is not None and matcher.may_contain(text) and matcher.find(text):
                return None, undecodable

        match = {
            'table': table.name,
            'covered_by_profile': table.covered_by_profile,
            'primary_key': [(column, row.get(column)) for column in table.primary_key],
            'primary_key_types': table.primary_key_types,
            'columns': sorted(set(location.split(':', 1)[0] for subject_id, location in hits)),
            'hits': hits,
        }
        if keep_values:
            match['column_values'] = values
        return match, undecodable

    def read_range(table, token_range):
        rows_seen = 0
        undecodable = 0
        found = []
        for row in table.read_range(token_range):
            rows_seen += 1
            match, row_undecodable = match_of(table, row)
            undecodable += row_undecodable
            if match:
                found.append(match)
        return rows_seen, undecodable, found

    def scan_range(item):
        table, token_range = item
        for attempt in range(retries + 1):
            try:
                rows_seen, undecodable, found = read_range(table, token_range)
            except READ_ERRORS as error:
                if attempt < retries:
                    time.sleep(RETRY_DELAY * (attempt + 1))
                    continue
                with lock:
                    result.failed_ranges.append({
                        'table': '%s.%s' % (keyspace, table.name),
                        'range': [token_range[0] if token_range[0] is not None else MIN_TOKEN, token_range[1]],
                        'error': type(error).__name__,
                    })
                return
            with lock:
                result.rows_scanned += rows_seen
                result.undecodable_blobs += undecodable
                result.ranges_done += 1
                result.matches.extend(found)
            return

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        list(pool.map(scan_range, work))

    result.matches.sort(key=lambda m: (m['table'], [str(value) for column, value in m['primary_key']]))
    result.duration = time.monotonic() - started
    return result


def row_id(salt, match):
    """Return a stable id for one row that does not reveal its primary key."""
    identity = '\x1f'.join([match['table']] + ['%s=%s' % (column, value) for column, value in match['primary_key']])
    return 'row-' + hmac.new(salt, to_bytes(identity), hashlib.sha256).hexdigest()[:16]


def _key_value(value, cql_type, reveal):
    if value is None:
        return None
    if reveal or cql_type in _ID_TYPES:
        return str(value)
    return mask_value(column_text(value))


def describe_row(match, salt, keyspace, reveal=False):
    """Shape one keyspace match for a module result: ids, masked primary key, columns and the reason."""
    table = '%s.%s' % (keyspace, match['table'])
    if match['covered_by_profile']:
        reason = ('%s: the settings profile does not map the column %s of the settings table %s, and the setting '
                  'key and value do not contain the subjects' % (NOT_ERASABLE, ', '.join(match['columns']), table))
    else:
        reason = '%s: the settings profile does not cover the table %s' % (NOT_ERASABLE, table)
    record = {
        'row_id': row_id(salt, match),
        'table': match['table'],
        'primary_key': dict((column, _key_value(value, cql_type, reveal))
                            for (column, value), cql_type in zip(match['primary_key'], match['primary_key_types'])),
        'columns': match['columns'],
        'subjects': sorted(set(subject for subject, location in match['hits'])),
        'locations': sorted(set(location for subject, location in match['hits'])),
        'erasable': False,
        'reason': reason,
    }
    if reveal and 'column_values' in match:
        record['column_values'] = match['column_values']
    return record


def summary(result, keyspace):
    """Return the scan fields of a keyspace scan for a module result."""
    return {
        'complete': result.complete,
        'keyspace': keyspace,
        'tables': result.tables,
        'skipped_tables': result.skipped_tables,
        'rows_scanned': result.rows_scanned,
        'token_ranges': result.ranges_total,
        'token_ranges_done': result.ranges_done,
        'failed_ranges': result.failed_ranges,
        'undecodable_blobs': result.undecodable_blobs,
        'duration_seconds': round(result.duration, 3),
    }


def run_for_module(module, session, matcher, profile, token_slice=None, keep_values=True):
    """Run the keyspace scan when search_scope is keyspace and return its result, else None.

    Schema errors and a failure while preparing the scan fail the module; failed token ranges
    leave the result incomplete, as in the settings scan.
    """
    params = module.params
    if params.get('search_scope') != 'keyspace':
        return None
    try:
        return scan_keyspace(session, params['cassandra_keyspace'], profile, matcher,
                             concurrency=params['scan_concurrency'], fetch_size=params['fetch_size'],
                             split_count=params['token_ranges'], token_slice=token_slice, keep_values=keep_values)
    except ScanError as error:
        module.fail_json(msg=str(error))
    except READ_ERRORS as error:
        module.fail_json(msg='Cassandra at %s (port %d) failed while preparing the keyspace scan of %s: %s. Check the '
                             'nodes and run again.' % (', '.join(params['cassandra_hosts']), params['cassandra_port'],
                                                       params['cassandra_keyspace'], type(error).__name__))


def add_to_result(module, result, keyspace_result, salt, batch=None):
    """Add search_scope, unmapped_matches and keyspace_scan to a module result; warn when the scan is incomplete."""
    params = module.params
    result['search_scope'] = params.get('search_scope') or 'settings'
    result['unmapped_matches'] = []
    result['keyspace_scan'] = None
    if keyspace_result is None:
        return
    records = []
    for match in keyspace_result.matches:
        record = describe_row(match, salt, params['cassandra_keyspace'], params['reveal_pii'])
        record['requests'] = batch.request_ids(record['subjects']) if batch else []
        records.append(record)
    result['unmapped_matches'] = records
    result['counts']['unmapped'] = len(records)
    result['keyspace_scan'] = summary(keyspace_result, params['cassandra_keyspace'])
    if not keyspace_result.complete:
        warn_masked(module, 'The keyspace scan is incomplete: %d of %d token ranges could not be read, so rows '
                            'outside the settings profile may be missing from unmapped_matches.'
                            % (len(keyspace_result.failed_ranges), keyspace_result.ranges_total))


def merge_host_results(results):
    """Merge the keyspace scan fields of hosts that scanned different token slices of one keyspace."""
    scans = [result.get('keyspace_scan') for result in results if result.get('keyspace_scan')]
    merged = {
        'search_scope': results[0].get('search_scope', 'settings') if results else 'settings',
        'unmapped_matches': [],
        'keyspace_scan': None,
    }
    seen = set()
    for result in results:
        for record in result.get('unmapped_matches') or []:
            if record['row_id'] not in seen:
                seen.add(record['row_id'])
                merged['unmapped_matches'].append(record)
    merged['unmapped_matches'].sort(key=lambda record: (record['table'], record['row_id']))
    if scans:
        merged['keyspace_scan'] = {
            'complete': all(scan['complete'] for scan in scans) and len(scans) == len(results),
            'keyspace': scans[0]['keyspace'],
            'tables': scans[0]['tables'],
            'skipped_tables': scans[0]['skipped_tables'],
            'rows_scanned': sum(scan['rows_scanned'] for scan in scans),
            'token_ranges': sum(scan['token_ranges'] for scan in scans),
            'token_ranges_done': sum(scan['token_ranges_done'] for scan in scans),
            'failed_ranges': [failed for scan in scans for failed in scan['failed_ranges']],
            'undecodable_blobs': sum(scan['undecodable_blobs'] for scan in scans),
            'duration_seconds': max(scan['duration_seconds'] for scan in scans),
        }
    return merged
