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

import re
from unittest import mock

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils import _matching
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
    '\u200e', '\u200b', '\u00ad', '&shy;', '&amp;', '\uff20', '\uff58', '\uff0e', '\uff0d', '\u3000', '\u2002', '\u30fc',
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


# Matcher.candidates: the pre-filter of a whole page of a scan.
def assert_candidates_keep(matcher, texts, page_size):
    """Check, page by page, that candidates() returns every text in which find() has a hit; return the hits."""
    found = 0
    missed = []
    for start in range(0, len(texts), page_size):
        page = texts[start:start + page_size]
        returned = matcher.candidates(page)
        assert returned == sorted(set(returned))
        # The scan passes UTF-8 bytes, which must give the same positions.
        assert matcher.candidates([text.encode('utf-8') for text in page]) == returned
        assert all(matcher.may_contain(page[index]) for index in returned)
        for index, text in enumerate(page):
            if matcher.find(text):
                found += 1
                if index not in returned:
                    missed.append(text)
    assert missed == []
    return found


def one_subject(value):
    return Matcher(parse_subjects([value]), default_region='GB')


def many():
    matcher = Matcher(many_subjects(1000) + parse_subjects(list(SUBJECT_VALUES.values())), default_region='GB')
    # The phone checks of this matcher must be the automaton's, or the cases below test one path twice.
    assert matcher._tail_automaton is not None
    return matcher


def many_without_pyahocorasick():
    with mock.patch.object(_matching, 'HAS_AHOCORASICK', False):
        matcher = Matcher(many_subjects(1000) + parse_subjects(list(SUBJECT_VALUES.values())), default_region='GB')
    assert matcher._tail_automaton is None
    return matcher


# One e-mail subject, one phone subject, a few (the fixture) and many: the phone checks take
# their own path in each, and many subjects take another one without pyahocorasick.
MATCHERS = {
    'one e-mail address': lambda: one_subject('jane.doe@example.com'),
    'one phone number': lambda: one_subject('+44 20 7946 0958'),
    'four subjects': lambda: Matcher(parse_subjects(list(SUBJECT_VALUES.values())), default_region='GB'),
    'many subjects': many,
    'many subjects, without pyahocorasick': many_without_pyahocorasick,
}


def test_alternatives_match_exactly_the_words():
    rng = random.Random(3)
    # Words that begin other words, and bytes that mean something in a regular expression.
    alphabet = b'ab.+*?()[]|\\$^{}-'
    words = set(bytes(rng.choice(alphabet) for _unused in range(rng.randint(1, 6))) for _unused in range(300))
    words.update([b'a', b'ab', b'abc', b'abd'])
    pattern = re.compile(_matching._alternatives(words))
    for _unused in range(3000):
        text = bytes(rng.choice(alphabet) for _unused in range(rng.randint(1, 6)))
        assert bool(pattern.fullmatch(text)) == (text in words), text
    assert all(pattern.fullmatch(word) for word in words)


@pytest.mark.parametrize('name', sorted(MATCHERS))
@pytest.mark.parametrize('page_size', [1, 7, 300])
def test_candidates_keep_random_corpus(name, page_size):
    rng = random.Random(11)
    texts = [random_text(rng) for _unused in range(2500)]
    # The corpus must contain many matches, or the test proves nothing.
    assert assert_candidates_keep(MATCHERS[name](), texts, page_size) > 150


@pytest.mark.parametrize('name', sorted(MATCHERS))
def test_candidates_keep_every_wrapping(name):
    texts = [form for text, _names in MUST_MATCH for form in wrappings(text)]
    texts += [form for text in MUST_NOT_MATCH for form in wrappings(text)]
    random.Random(5).shuffle(texts)
    assert assert_candidates_keep(MATCHERS[name](), texts, 256) > 100


@pytest.mark.parametrize('name', sorted(MATCHERS))
def test_candidates_keep_seeded_formats(name):
    assert assert_candidates_keep(MATCHERS[name](), seeded_values(), 500) >= 5


@pytest.mark.parametrize('text', [
    '\u212aate@example.com',             # KELVIN SIGN: str.lower() makes it an ASCII k.
    'kate@\uff45xample.com',             # FULLWIDTH e: IDNA maps the domain to example.com.
    'KATE@EXAMPLE.COM',
    '{"to": "kate%40example.com"}',
    '{"to": "kate\\u0040example.com"}',
])
@pytest.mark.parametrize('others', [0, 3, 40])
def test_candidates_keep_forms_that_change_when_normalized(text, others):
    """An address spelled with characters that lower-casing, IDNA or decoding turn into the subject's."""
    for subjects in (['kate@example.com'], ['kate@example.com'] + ['p%d@example.org' % n for n in range(10)]):
        matcher = Matcher(parse_subjects(subjects))
        page = ['{"n": %d, "email": "someone%d@example.com"}' % (n, n) for n in range(others)] + [text]
        assert matcher.find(text)
        assert matcher.candidates(page) == [others]


@pytest.mark.parametrize('text', [
    'mail jose\u0301@b\u00fccher.example',
    '{"to": "jose\\u0301@bu\\u0308cher.example"}',
    'jose%CC%81@b%C3%BCcher.example',
])
def test_candidates_keep_decomposed_accents(text):
    matcher = Matcher(parse_subjects(['jos\u00e9@b\u00fccher.example']))
    page = ['{"n": %d, "email": "someone%d@example.com"}' % (n, n) for n in range(5)] + [text]
    assert matcher.find(text)
    assert matcher.may_contain(text)
    assert matcher.candidates(page) == [5]
    assert matcher.candidates([item.encode('utf-8') for item in page]) == [5]


@pytest.mark.parametrize('text', [
    '{"name": "\\ud83d", "tel": "020&#32;7946&#32;0958"}',
    '{"name": "\\ud83d", "tel": "020%207946%200958"}',
    '\\ud800 +44 20 7946 09&#53;8',
])
def test_half_surrogate_pair_checked(text):
    """A \\u escape of half a surrogate pair, as a cut emoji leaves, does not stop the pre-filters."""
    for matcher in (one_subject('+44 20 7946 0958'), many()):
        assert matcher.find(text)
        assert matcher.may_contain(text)
        assert matcher.candidates(['x', text]) == [1]
        assert matcher.candidates([b'x', text.encode('utf-8')]) == [1]


def test_long_separator_run_checked_fast():
    """The per-value pre-filter tries only the local part variants that can be a subject's."""
    matcher = one_subject('jane.doe@example.com')
    text = '=' * 98000 + 'jane.doe@example.com \u00e9'
    started = time.process_time()

    assert matcher.may_contain(text)
    assert time.process_time() - started < 0.5


def test_candidates_keep_greek_varia():
    """U+1FEF GREEK VARIA is a backtick in NFC, a character that local parts may contain."""
    matcher = Matcher(parse_subjects(['a`b@example.com', 'jane.doe@example.com']))
    text = 'a\u1fefb@example.com'
    page = ['{"n": %d, "email": "someone%d@example.com"}' % (n, n) for n in range(3)] + [text]

    assert matcher.find(text)
    assert matcher.candidates(page) == [3]
    assert matcher.candidates([item.encode('utf-8') for item in page]) == [3]


def test_candidates_find_every_copy_in_a_page():
    matcher = one_subject('+44 20 7946 0958')
    page = ['x'] * 500
    for index in (0, 129, 130, 499):
        page[index] = '{"phone": "020 7946 0958"}'
    assert matcher.candidates(page) == [0, 129, 130, 499]


@pytest.mark.parametrize('page', [
    ['a', None, 'jane.doe@example.com'],
    ['a', b'jane.doe@example.com', 'b'],
    ['a\x00b', 'c', 'jane.doe@example.com'],
    ['jane.doe@example.com\x00', 'x', 'y'],
    [b'a', None, b'jane.doe@example.com'],
    [b'\xff\xfe', b'jane.doe@example.com'],
])
def test_candidates_texts_that_cannot_be_joined(page):
    """Nulls, blobs and NUL characters are checked one text at a time, like may_contain does."""
    matcher = one_subject('jane.doe@example.com')
    assert matcher.candidates(page) == [index for index, text in enumerate(page) if matcher.find(text)]


def test_candidates_of_nothing():
    assert one_subject('jane.doe@example.com').candidates([]) == []
    assert Matcher([]).candidates(['jane.doe@example.com']) == []


def test_candidates_cheaper_than_may_contain():
    """With few subjects, most pages hold none of them, and the page checks cost a fraction of the per-value ones.

    With the 1,000 subjects of many_subjects, a third of these values contain one, so candidates()
    passes a third of them on to may_contain. benchmarks/ measures that case.
    """
    values = realistic_values(3000)
    for matcher in (one_subject('jane.doe@example.com'), one_subject('+44 20 7946 0958')):
        started = time.process_time()
        for _unused in range(3):
            for value in values:
                matcher.may_contain(value)
        per_text = time.process_time() - started
        started = time.process_time()
        for _unused in range(3):
            for start in range(0, len(values), 1000):
                matcher.candidates(values[start:start + 1000])
        per_page = time.process_time() - started
        print('\nper value: may_contain %.2f us, candidates %.2f us'
              % (per_text / len(values) / 3 * 1e6, per_page / len(values) / 3 * 1e6))
        assert per_page < per_text / 2
