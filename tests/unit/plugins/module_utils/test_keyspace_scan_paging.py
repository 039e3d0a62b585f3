# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of how the keyspace scan reads pages and blobs, against a fake driver session.

The fake session returns result sets shaped like those of cassandra-driver 3.30: current_rows,
has_more_pages, paging_state, iteration and fetch_next_page(). Its fetch_next_page() raises,
because the driver's version waits for the next page without request_timeout.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from types import SimpleNamespace

import pytest
from cassandra import OperationTimedOut

from ansible_collections.gdpr.gws.plugins.module_utils import _keyspace_scan, _scan
from ansible_collections.gdpr.gws.plugins.module_utils._matching import Matcher
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects

EMAIL = 'jane.doe@example.com'
# One byte that is not valid UTF-8 in front of the address.
BLOB_WITH_INVALID_BYTE = b'\xff' + EMAIL.encode('utf-8')
EMPTY_PROFILE = {'tables': []}


class FakeResultSet(object):
    """One page of rows, with the attributes and the iteration of a driver ResultSet."""

    def __init__(self, rows, paging_state=None):
        self.current_rows = list(rows)
        self.paging_state = paging_state
        self.has_more_pages = paging_state is not None

    def fetch_next_page(self):
        raise RuntimeError('fetch_next_page() called, but in cassandra-driver 3.30 it ignores request_timeout')

    def __iter__(self):
        # Like the driver: the rows of this page, then the next pages through fetch_next_page().
        yield from self.current_rows
        if self.has_more_pages:
            self.fetch_next_page()


class FakeSession(object):
    """Serve the rows of one table in pages of `page_size`. Each paging state is the index of the next row.

    errors maps a paging state to the exception that a request with that paging state raises.
    """

    def __init__(self, metadata, rows, page_size, errors=None):
        self.cluster = SimpleNamespace(metadata=metadata)
        self.rows = rows
        self.page_size = page_size
        self.errors = errors or {}
        self.requests = []

    def prepare(self, query):
        return SimpleNamespace(query=query, fetch_size=None)

    def execute(self, statement, parameters, paging_state=None):
        self.requests.append((parameters, paging_state))
        if paging_state in self.errors:
            raise self.errors[paging_state]
        start = paging_state or 0
        end = start + self.page_size
        return FakeResultSet(self.rows[start:end], end if end < len(self.rows) else None)


def column(name, cql_type):
    return SimpleNamespace(name=name, cql_type=cql_type)


def notes_keyspace():
    """Return cluster metadata with one keyspace `ks` and one table `notes` (id int, body blob)."""
    key = column('id', 'int')
    notes = SimpleNamespace(name='notes', primary_key=[key], partition_key=[key],
                            columns={'id': key, 'body': column('body', 'blob')})
    keyspace = SimpleNamespace(tables={'notes': notes}, views={}, user_types={})
    return SimpleNamespace(keyspaces={'ks': keyspace})


def matcher():
    return Matcher(parse_subjects([EMAIL]))


def scan_notes(session, **options):
    return _keyspace_scan.scan_keyspace(session, 'ks', EMPTY_PROFILE, matcher(), concurrency=1, split_count=1,
                                        **options)


def test_keyspace_scan_requests_each_page():
    rows = [(1, b'nothing here'), (2, b'nor here'), (3, EMAIL.encode('utf-8'))]
    session = FakeSession(notes_keyspace(), rows, page_size=2)

    result = scan_notes(session)

    assert result.complete is True
    assert result.rows_scanned == 3
    assert [match['primary_key'] for match in result.matches] == [[('id', 3)]]
    # The second page is a request of its own, with the paging state of the first.
    assert [paging_state for bounds, paging_state in session.requests] == [None, 2]
    assert session.requests[0][0] == session.requests[1][0]


def test_keyspace_scan_page_timeout_fails_range():
    rows = [(1, b'a'), (2, b'b'), (3, b'c')]
    session = FakeSession(notes_keyspace(), rows, page_size=2, errors={2: OperationTimedOut('page timed out')})

    result = scan_notes(session, retries=1)

    assert result.complete is False
    assert result.ranges_done == 0
    assert [failure['error'] for failure in result.failed_ranges] == ['OperationTimedOut']
    assert result.matches == []
    # Two attempts, each a first page and a second page that timed out.
    assert [paging_state for bounds, paging_state in session.requests] == [None, 2, None, 2]


def test_read_range_pages_clears_page_after_use():
    session = FakeSession(notes_keyspace(), [(1, b'a'), (2, b'b'), (3, b'c')], page_size=2)
    pages = _scan.read_range_pages(session, 'first', 'next', (None, 10))

    first = next(pages)
    assert first == [(1, b'a'), (2, b'b')]
    second = next(pages)

    assert first == []
    assert second == [(3, b'c')]
    assert session.requests == [((_scan.MIN_TOKEN, 10), None), ((_scan.MIN_TOKEN, 10), 2)]
    with pytest.raises(StopIteration):
        next(pages)


def test_read_range_pages_bounds_of_later_range():
    session = FakeSession(notes_keyspace(), [(1, b'a')], page_size=2)

    pages = list(_scan.read_range_pages(session, 'first', 'next', (5, 10)))

    assert pages == [[(1, b'a')]]
    assert session.requests == [((5, 10), None)]


def test_blob_with_invalid_byte_is_found():
    session = FakeSession(notes_keyspace(), [(1, BLOB_WITH_INVALID_BYTE), (2, b'\xfe no address')], page_size=10)

    result = scan_notes(session)

    assert result.complete is True
    assert [match['primary_key'] for match in result.matches] == [[('id', 1)]]
    assert result.matches[0]['columns'] == ['body']
    assert result.matches[0]['column_values'] == {'body': u'\ufffd' + EMAIL}
    # Both blobs have invalid UTF-8, and both are counted and searched.
    assert result.undecodable_blobs == 2


def test_column_text_replaces_invalid_bytes():
    assert _keyspace_scan.column_text(BLOB_WITH_INVALID_BYTE) == u'\ufffd' + EMAIL


def test_decode_blob_reports_validity():
    assert _scan.decode_blob(b'caf\xc3\xa9') == (u'café', True)
    assert _scan.decode_blob(bytearray(BLOB_WITH_INVALID_BYTE)) == (u'\ufffd' + EMAIL, False)


def test_both_scans_decode_blobs_alike():
    settings_text = _scan._row_value_text(BLOB_WITH_INVALID_BYTE, errors='replace')

    assert _keyspace_scan.column_text(BLOB_WITH_INVALID_BYTE) == settings_text
    assert matcher().find(settings_text)
