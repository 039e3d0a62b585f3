# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Progress file of a running scan, for the operator.

A module cannot print while it runs. With the progress_file option the scan writes its
counters to a small JSON file, replaced atomically, and the forget_me role shows that file
while the module runs as an async task. The file contains counts only, never a subject or a
setting.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import time

# The file is written at most once per this many seconds, and when the last range is done.
WRITE_INTERVAL = 1.0


def snapshot(result, started, token_slice=None):
    """Return the progress counters of a ScanResult as a dict."""
    return {
        'token_ranges_done': result.ranges_done,
        'token_ranges_failed': len(result.failed_ranges),
        'token_ranges': result.ranges_total,
        'rows_read': result.rows_read,
        'matches': len(result.matches),
        'token_slice': token_slice or None,
        'elapsed_seconds': round(time.monotonic() - started, 1),
        'finished': result.ranges_done + len(result.failed_ranges) >= result.ranges_total,
    }


def write(path, data):
    """Replace the progress file with data, through a temporary file in the same directory."""
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with open(temporary, 'w') as handle:
        json.dump(data, handle)
    os.replace(temporary, path)


def writer(path, token_slice=None):
    """Return a scan progress callback that writes to path, or None when path is not set.

    After the first error writing the file, the callback stops writing, so that a full disk
    cannot fail a scan. The file then keeps its last state.
    """
    if not path:
        return None
    started = time.monotonic()
    state = {'last': 0.0, 'broken': False}

    def report(result):
        if state['broken']:
            return
        now = time.monotonic()
        finished = result.ranges_done + len(result.failed_ranges) >= result.ranges_total
        if not finished and now - state['last'] < WRITE_INTERVAL:
            return
        state['last'] = now
        try:
            write(path, snapshot(result, started, token_slice))
        except OSError:
            state['broken'] = True

    try:
        write(path, {'token_ranges_done': 0, 'token_ranges_failed': 0, 'token_ranges': None, 'rows_read': 0,
                     'matches': 0, 'token_slice': token_slice or None, 'elapsed_seconds': 0.0, 'finished': False})
    except OSError:
        state['broken'] = True
    return report
