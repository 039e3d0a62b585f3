# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of masking for results, diffs and evidence reports."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils._masking import (
    mask_email, mask_json, mask_phone, mask_text, warn_masked)


@pytest.mark.parametrize('address, masked', [
    ('jane.doe@example.com', 'j***@e***.com'),
    ('Jane.Doe@Example.COM', 'J***@E***.COM'),
    ('max.mustermann@example.org', 'm***@e***.org'),
    ('jane@sub.example.co.uk', 'j***@s***.uk'),
    ('a@b.io', 'a***@b***.io'),
    ('jane@localhost', 'j***@l***'),
])
def test_mask_email(address, masked):
    assert mask_email(address) == masked


@pytest.mark.parametrize('text, masked', [
    ('not an address', 'n*** (14 chars)'),
    ('@example.com', '@*** (12 chars)'),
    ('jane@', 'j*** (5 chars)'),
    ('', ''),
    (None, ''),
])
def test_mask_email_falls_back_to_text(text, masked):
    assert mask_email(text) == masked


@pytest.mark.parametrize('number, masked', [
    ('+442079460958', '+44*******958'),
    ('+12025550143', '+1*******143'),
    ('+33199001234', '+33******234'),
    ('+2476288', '+247**88'),
    ('020 7946 0958', '*** **** **58'),
    ('(020) 7946-0958', '(***) ****-**58'),
    ('+44 20 7946 0958', '+** ** **** **58'),
    ('12345', '1*** (5 chars)'),
    ('', ''),
    (None, ''),
])
def test_mask_phone(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize('text, masked', [
    ('Jane', 'J*** (4 chars)'),
    ('Jane Doe', 'J*** (8 chars)'),
    ('abc', '*** (3 chars)'),
    ('x', '*** (1 char)'),
    ('', ''),
    (None, ''),
    (12345, '1*** (5 chars)'),
])
def test_mask_text(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize('length', range(1, 41))
def test_mask_text_shows_at_most_a_quarter(length):
    text = ''.join(chr(ord('a') + index % 26) for index in range(length))
    masked = mask_text(text)
    visible_prefix = masked.split('***')[0]
    assert len(visible_prefix) <= length / 4
    assert text.startswith(visible_prefix)


RAW_VALUES = [
    'jane.doe@example.com',
    'Jane.Doe@Example.COM',
    'max.mustermann@example.org',
    '+442079460958',
    '+44 20 7946 0958',
    '020 7946 0958',
    '(020) 7946-0958',
    'tel:+44-20-7946-0958',
    '+1 202-555-0143',
    'Jane Doe',
    'Muster',
    'a@b.io',
]


@pytest.mark.parametrize('raw', RAW_VALUES)
def test_masks_never_contain_raw_value(raw):
    assert raw not in mask_text(raw)
    assert raw not in mask_email(raw)
    assert raw not in mask_phone(raw)
    assert raw not in mask_json(raw)
    assert raw not in mask_json(json.dumps(raw))


@pytest.mark.parametrize('raw', RAW_VALUES)
def test_mask_json_hides_raw_string_values(raw):
    value = json.dumps({'name': raw, 'list': [raw, {'deep': raw}], 'value': json.dumps({'inner': raw})})
    masked = mask_json(value)
    assert raw not in masked
    assert raw.lower() not in masked.lower()


@pytest.mark.parametrize('raw', RAW_VALUES[:9])
def test_mask_json_hides_personal_keys(raw):
    masked = mask_json(json.dumps({raw: {'id': 1}, 'other': {raw: 2}}))
    assert raw not in masked
    assert raw.lower() not in masked.lower()


def test_mask_json_keeps_plain_keys():
    assert json.loads(mask_json(json.dumps({'Jane Doe': 1}))) == {'Jane Doe': 1}


def test_mask_json_keeps_structure():
    favorite = {
        'name': 'c0a8f6d2',
        'displayName': 'Jane Doe',
        'phoneNumbers': ['+442079460958', '020 7946 0958'],
        'emailAddresses': ['jane.doe@example.com'],
        'rank': 3,
        'score': 0.5,
        'favorite': True,
        'note': None,
    }
    masked = json.loads(mask_json(json.dumps(favorite)))
    assert masked == {
        'name': 'c*** (8 chars)',
        'displayName': 'J*** (8 chars)',
        'phoneNumbers': ['+44*******958', '*** **** **58'],
        'emailAddresses': ['j***@e***.com'],
        'rank': 3,
        'score': 0.5,
        'favorite': True,
        'note': None,
    }


def test_mask_json_masks_personal_keys():
    value = json.dumps({'+442079460958': {'media': 'voice'}, 'jane.doe@example.com': 1, 'plain': 'x'})
    masked = json.loads(mask_json(value))
    assert list(masked) == ['+44*******958', 'j***@e***.com', 'plain']


def test_mask_json_colliding_masked_keys():
    value = json.dumps({'+442079460958': 1, '+442079461958': 2})
    masked = json.loads(mask_json(value))
    assert masked == {'+44*******958': 1, '+44*******958 #2': 2}


def test_mask_json_masks_long_integers():
    masked = json.loads(mask_json(json.dumps({'phone': 442079460958, 'count': 42})))
    assert masked == {'phone': '**********58', 'count': 42}


def test_mask_json_masks_json_inside_string():
    value = json.dumps({'name': 'prefs', 'value': json.dumps({'email': 'jane.doe@example.com', 'n': 1})})
    masked = json.loads(mask_json(value))
    assert json.loads(masked['value']) == {'email': 'j***@e***.com', 'n': 1}


def test_mask_json_decodes_escapes():
    masked = mask_json('{"target": "jane.doe\\u0040example.com"}')
    assert json.loads(masked) == {'target': 'j***@e***.com'}


@pytest.mark.parametrize('text, masked', [
    ('jane.doe@example.com', 'j*** (20 chars)'),
    ('{"broken": "jane.doe@example.com"', '{*** (33 chars)'),
    ('', ''),
    (None, ''),
])
def test_mask_json_masks_non_json_whole(text, masked):
    assert mask_json(text) == masked


def test_mask_json_string_root():
    assert mask_json('"+442079460958"') == '"+44*******958"'


def test_mask_json_bytes():
    assert json.loads(mask_json(b'{"a": "Jane"}')) == {'a': 'J*** (4 chars)'}


def test_mask_json_deep_nesting():
    node = 'jane.doe@example.com'
    for _level in range(200):
        node = {'child': [node]}
    masked = mask_json(json.dumps(node))
    assert 'jane.doe' not in masked
    assert masked.count('child') == 200


@pytest.mark.parametrize('depth', [900, 990, 999])
def test_mask_json_nesting_near_parser_limit(depth):
    # Near the recursion limit the decoder may succeed and the encoder fail, depending on
    # the caller's stack. Either result is masked, and no RecursionError escapes.
    text = '[' * depth + '"jane.doe@example.com"' + ']' * depth
    masked = mask_json(text)
    assert 'jane' not in masked
    assert masked in ('[' * depth + '"j***@e***.com"' + ']' * depth, '[*** (%d chars)' % len(text))


def test_mask_json_nesting_deeper_than_parser():
    # Deeper than the json module of CPython 3.11 to 3.13 parses (about 1000 to 10000 levels).
    text = '[' * 100000 + '"jane.doe@example.com"' + ']' * 100000
    masked = mask_json(text)
    assert 'jane' not in masked
    assert masked == '[*** (200022 chars)'


class WarningModule(object):
    """The two members of AnsibleModule that warn_masked uses."""

    def __init__(self, no_log_values):
        self.no_log_values = set(no_log_values)
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


def test_warn_masked_masks_no_log_values():
    module = WarningModule(['jane.doe@example.com', 's3cret'])

    warn_masked(module, 'The directory /srv/jane.doe@example.com is readable; login s3cret failed')

    assert module.warnings == ['The directory /srv/******** is readable; login ******** failed']


def test_plugins_warn_only_masked():
    # ansible-core 2.19 and later do not mask module warnings, so a direct module.warn() would show no_log values.
    plugins = os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..', '..', 'plugins')
    direct = []
    for folder in ('modules', 'module_utils'):
        for name in sorted(os.listdir(os.path.join(plugins, folder))):
            if name.endswith('.py') and name != '_masking.py':
                with open(os.path.join(plugins, folder, name)) as source:
                    text = source.read()
                if re.search(r'\bmodule\.warn\(', text):
                    direct.append('%s/%s' % (folder, name))

    assert direct == []
