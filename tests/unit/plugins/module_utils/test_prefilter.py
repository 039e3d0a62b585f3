# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of Matcher.may_contain, the pre-filter that lets the scan skip find().

The pre-filter must return True for every value in which find() finds a subject. The
tests run both on the cases of test_matching, on the setting formats that the lab's seed
writes, and on a large random corpus built from subject forms, look-alikes and noise.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import random
import sys
import time
from urllib.parse import quote

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils._matching import Matcher
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects

from test_matching import MUST_MATCH, MUST_NOT_MATCH, SUBJECT_VALUES, many_subjects, realistic_values

LAB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'lab')
if LAB_DIR not in sys.path:
    sys.path.insert(0, LAB_DIR)
import seed  # noqa: E402 (tests/lab is put on sys.path just above)


@pytest.fixture(scope='module')
def matcher():
    return Matcher(parse_subjects(list(SUBJECT_VALUES.values()), salt=b'unit-test'), default_region='GB')


def wrappings(text):
    """Return text as it can sit in a stored setting: plain, in JSON, escaped, nested and encoded."""
    value = {'name': 'fav-1', 'note': text}
    forms = [
        text,
        json.dumps(value),
        json.dumps(value, ensure_ascii=False),
        json.dumps({text: {'id': text}}),
        json.dumps({'value': json.dumps(value)}),
        json.dumps({'value': json.dumps({'value': json.dumps(value)})}),
        json.dumps([text, 1, None]),
        json.dumps(text),
        json.dumps(value).replace('@', '\\u0040'),
        json.dumps({'target': quote(text)}),
        json.dumps({'note': text.replace('@', '\\u0040')}),
        json.dumps({'note': text.replace(' ', '\t')}),
        json.dumps({'note': text.replace('/', '\\/')}),
        json.dumps({'note': text})[:-1],
    ]
    digits = ''.join(char for char in text if char.isdigit())
    if digits and len(digits) < 18:
        forms.append(json.dumps({'phone': int(digits)}))
        forms.append(json.dumps({'phone': -int(digits)}))
    return forms


def assert_pre_filter_keeps(matcher, texts):
    """Check that may_contain is True wherever find() has a hit; return how many had hits."""
    found = 0
    missed = []
    for text in texts:
        if matcher.find(text):
            found += 1
            if not matcher.may_contain(text):
                missed.append(text)
    assert missed == []
    return found


@pytest.mark.parametrize('text, names', MUST_MATCH)
def test_matches_kept_in_every_wrapping(matcher, text, names):
    assert assert_pre_filter_keeps(matcher, wrappings(text)) >= 10


@pytest.mark.parametrize('text', MUST_NOT_MATCH)
def test_look_alikes_agree_with_find(matcher, text):
    assert_pre_filter_keeps(matcher, wrappings(text))


def seeded_values():
    """Return the JSON texts of the seed's subject settings, look-alikes and some filler."""
    texts = []
    for special in seed.special_settings():
        if special.value == 'ESCAPED_EMAIL':
            value = seed._favorite('Jane', 'Doe', [], ['jane.doe@example.com'])
            texts.append(json.dumps(value).replace('jane.doe@example.com', 'jane.doe\\u0040example.com'))
            continue
        texts.append(json.dumps(special.value))
        texts.append(json.dumps(special.value, ensure_ascii=False))
    generator = seed.Generator(random.Random(7))
    for _unused in range(2000):
        first, last = generator.person()
        texts.append(json.dumps(seed._favorite(first, last, [generator.phone()], [generator.email(first, last)])))
    return texts


def test_seeded_formats_kept(matcher):
    texts = seeded_values()
    found = assert_pre_filter_keeps(matcher, texts)
    assert found >= 20


def test_seeded_subject_settings_pass(matcher):
    for special in seed.special_settings():
        if special.subjects and special.value != 'ESCAPED_EMAIL':
            assert matcher.may_contain(json.dumps(special.value))


# Pieces of the random corpus. They are chosen to sit next to each other in every order, so
# that the corpus has glued runs, split lists, escapes and look-alikes around real matches.
SUBJECT_FORMS = [text for text, _names in MUST_MATCH]
NOISE = [
    ' ', '  ', ', ', '-', '_', '#', '/', '.', '(', ')', '+', '@', '%', '%40', '%20', '\\', '\\u0040', '\\"', '"',
    '\t', '\n', 'x', 'ext. ', 'ORD-', 'ref', '0.', '00', '0', '1', '12', '958', '7946', '0958', '2024-05-01T10:22:33Z',
    'mailto:', 'tel:', '=', "'", '{', '}', '[', ']', ':', 'é', '\uff10', '\u0660', 'a.b', '.com', 'example.com',
]


def random_text(rng):
    parts = []
    for _unused in range(rng.randrange(1, 8)):
        draw = rng.random()
        if draw < 0.3:
            parts.append(rng.choice(SUBJECT_FORMS))
        elif draw < 0.5:
            parts.append(rng.choice(MUST_NOT_MATCH))
        elif draw < 0.6:
            parts.append(''.join(rng.choice('0123456789 -.') for _unused in range(rng.randrange(1, 30))))
        else:
            parts.append(rng.choice(NOISE))
    text = ''.join(parts)
    shape = rng.random()
    if shape < 0.3:
        return text
    if shape < 0.6:
        return json.dumps({'name': 'fav-%x' % rng.getrandbits(48), 'note': text, 'n': rng.randrange(10 ** 12)})
    if shape < 0.75:
        return json.dumps({'value': json.dumps({'inner': text})})
    if shape < 0.85:
        return json.dumps({text: [text]}, ensure_ascii=False)
    if shape < 0.95:
        return json.dumps({'note': text}).replace('@', '\\u0040')
    return quote(text)


@pytest.mark.parametrize('seed_value', [1, 2, 3])
def test_random_corpus_kept(matcher, seed_value):
    rng = random.Random(seed_value)
    texts = [random_text(rng) for _unused in range(6000)]
    found = assert_pre_filter_keeps(matcher, texts)
    # The corpus must contain many matches, or the test proves nothing.
    assert found > 1000


def test_random_corpus_many_subjects_kept():
    rng = random.Random(4)
    subjects = many_subjects(1000) + parse_subjects(list(SUBJECT_VALUES.values()))
    matcher = Matcher(subjects, default_region='GB')
    texts = [random_text(rng) for _unused in range(3000)]
    assert assert_pre_filter_keeps(matcher, texts) > 500


def test_national_subjects_in_region_kept():
    subjects = parse_subjects(['+1 202-555-0143', '+44 20 7946 0958', '+683 4002', 'a=b@example.com'])
    texts = ['(202) 555-0143', '020 7946 0958', 'tel 4002', 'x a=b@example.com', '{"k": "4002"}']
    assert assert_pre_filter_keeps(Matcher(subjects, default_region='US'), texts) == 3
    assert assert_pre_filter_keeps(Matcher(subjects, default_region='GB'), texts) == 2
    assert assert_pre_filter_keeps(Matcher(subjects, default_region='NU'), texts) == 4


def test_realistic_values_mostly_skipped():
    values = realistic_values(3000)
    matcher = Matcher(parse_subjects(['jane.doe@example.com', '+44 20 7946 0958']), default_region='GB')
    assert sum(1 for value in values if matcher.may_contain(value)) < 0.02 * len(values)


def test_pre_filter_cheaper_than_find():
    values = realistic_values(3000)
    matcher = Matcher(parse_subjects(['jane.doe@example.com', '+44 20 7946 0958']), default_region='GB')

    started = time.perf_counter()
    for value in values:
        matcher.may_contain(value)
    pre_filter_time = time.perf_counter() - started
    started = time.perf_counter()
    for value in values:
        matcher.find(value)
    find_time = time.perf_counter() - started
    print('\nper value: may_contain %.1f us, find %.1f us'
          % (pre_filter_time / len(values) * 1e6, find_time / len(values) * 1e6))

    assert pre_filter_time < find_time / 3


@pytest.mark.parametrize('text', [None, '', b'', '   ', b'{"a": "jane.doe@example.com"}'])
def test_pre_filter_edge_values(matcher, text):
    assert matcher.may_contain(text) == bool(matcher.find(text))


def test_no_subjects_nothing_passes():
    assert Matcher([]).may_contain('jane.doe@example.com +442079460958') is False


def test_deep_escapes_left_to_find(matcher):
    text = 'x' + '\\' * 5000 + 'u0040'
    assert matcher.may_contain(text) is True
