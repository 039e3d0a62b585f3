# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the parts of the settings scan that need no Cassandra."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.gdpr.gws.plugins.module_utils import _scan
from ansible_collections.gdpr.gws.plugins.module_utils._matching import Matcher
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects

# A blob value that is UTF-8 except for one Latin-1 byte.
MIXED_BLOB = b'{"email": "jane.doe@example.com", "name": "M\xfcller"}'


class FakeReader(object):
    table = {'name': 'settings'}


def test_row_value_text_strict_and_replace():
    assert _scan._row_value_text(MIXED_BLOB) == ''
    assert 'jane.doe@example.com' in _scan._row_value_text(MIXED_BLOB, errors='replace')
    assert _scan._row_value_text(b'plain') == 'plain'
    assert _scan._row_value_text(None) == ''
    assert _scan._row_value_text(42) == '42'


def test_blob_with_an_invalid_byte_is_searched():
    matcher = Matcher(parse_subjects(['jane.doe@example.com']))
    scanner = _scan._RangeScanner([], matcher, None, 0, False, lambda *report: None)

    match = scanner.match_of(FakeReader(), 'user', b'owner-1', 'favorites', b'fav-1', MIXED_BLOB)

    assert match is not None
    assert match['hits'] == [(matcher.find('jane.doe@example.com')[0].subject_id, '$.email')]
    assert match['key'] == 'fav-1'
    assert 'value' not in match
