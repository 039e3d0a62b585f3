# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the token-range split of the Murmur3 ring."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils._scan import MAX_TOKEN, MIN_TOKEN, token_ranges


@pytest.mark.parametrize('count', [1, 2, 7, 64, 1000])
def test_ranges_cover_ring_without_gaps(count):
    ranges = token_ranges(count)
    assert len(ranges) == count
    assert ranges[0][0] is None
    assert ranges[-1][1] == MAX_TOKEN
    assert all(start < end for start, end in ranges[1:])
    assert ranges[0][1] > MIN_TOKEN
    for (_previous_start, end), (start, _next_end) in zip(ranges, ranges[1:]):
        assert start == end


@pytest.mark.parametrize('total', [1, 2, 3, 5])
def test_slices_partition_ranges(total):
    whole = token_ranges(64)
    parts = [token_ranges(64, (index, total)) for index in range(1, total + 1)]
    merged = sorted((r for part in parts for r in part), key=lambda r: r[1])
    assert merged == whole
    assert sum(len(part) for part in parts) == len(whole)
