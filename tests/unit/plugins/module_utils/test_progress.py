# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the scan's progress file."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.gdpr.gws.plugins.module_utils import _progress
from ansible_collections.gdpr.gws.plugins.module_utils._scan import ScanResult


def scan_state(done, total, rows, failed=0):
    result = ScanResult()
    result.ranges_done = done
    result.ranges_total = total
    result.rows_read = rows
    result.failed_ranges = [{'table': 'sipfs.settings', 'range': [0, 1], 'error': 'ReadTimeout'}] * failed
    result.matches = [{}] * 3
    return result


def test_writer_starts_file(tmp_path):
    path = tmp_path / 'progress.json'
    _progress.writer(str(path), '2/3')
    data = json.loads(path.read_text())
    assert data['token_ranges_done'] == 0
    assert data['finished'] is False
    assert data['token_slice'] == '2/3'


def test_writer_reports_counts(tmp_path):
    path = tmp_path / 'progress.json'
    report = _progress.writer(str(path))
    report(scan_state(64, 64, 1000))
    data = json.loads(path.read_text())
    assert data['token_ranges_done'] == 64
    assert data['rows_read'] == 1000
    assert data['matches'] == 3
    assert data['finished'] is True


def test_writer_throttles_until_finished(tmp_path):
    path = tmp_path / 'progress.json'
    report = _progress.writer(str(path))
    report(scan_state(1, 64, 10))
    report(scan_state(2, 64, 20))
    assert json.loads(path.read_text())['token_ranges_done'] in (0, 1)
    report(scan_state(63, 64, 630, failed=1))
    data = json.loads(path.read_text())
    assert data['finished'] is True
    assert data['token_ranges_failed'] == 1


def test_writer_without_path():
    assert _progress.writer(None) is None


def test_unwritable_file_ignored(tmp_path):
    report = _progress.writer(str(tmp_path / 'missing-directory' / 'progress.json'))
    report(scan_state(64, 64, 1000))
