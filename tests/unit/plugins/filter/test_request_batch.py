# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the request_batch filter on the text of request files."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gdpr.gws.plugins.filter.batch import request_batch

REPEATED_TYPE = 'requests:\n  - id: REQ-1\n    type: access\n    emails: [jane.doe@example.com]\n    type: forget\n'


class LookupText(str):
    """A str subclass, as the file lookup of Ansible 2.19 returns with its data tags."""


def test_repeated_key_is_filter_error():
    with pytest.raises(AnsibleFilterError) as error:
        request_batch(REPEATED_TYPE)
    assert "invalid request batch: requests[0]: key 'type' appears twice" in str(error.value)
    assert 'jane' not in str(error.value)


def test_str_subclass_parsed():
    text = LookupText('requests:\n  - {id: REQ-1, type: access, emails: [jane.doe@example.com]}\n')
    assert request_batch(text)['requests'] == [{'id': 'REQ-1', 'type': 'access', 'subjects': [0]}]


def test_str_subclass_checked_for_repeated_keys():
    with pytest.raises(AnsibleFilterError) as error:
        request_batch(LookupText(REPEATED_TYPE))
    assert "key 'type' appears twice" in str(error.value)
