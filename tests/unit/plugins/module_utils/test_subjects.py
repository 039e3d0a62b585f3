# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of subject parsing, normalization, ids and error messages."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import hmac
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils._subjects import (
    SubjectError, normalize_region, parse_subjects, subject_id)


DEMO_PHONE = '+442079460958'


@pytest.mark.parametrize('value, normalized', [
    ('jane.doe@example.com', 'jane.doe@example.com'),
    ('Jane.Doe@Example.COM', 'jane.doe@example.com'),
    ('  jane.doe@example.com\n', 'jane.doe@example.com'),
    ('mailto:jane.doe@example.com', 'jane.doe@example.com'),
    ('MAILTO:Jane.Doe@example.com', 'jane.doe@example.com'),
    ("o'brien@example.com", "o'brien@example.com"),
    ('max.mustermann+gdpr@example.org', 'max.mustermann+gdpr@example.org'),
    ('jane@b\u00fccher.example', 'jane@xn--bcher-kva.example'),
    ('jos\u00e9@example.com', 'jos\u00e9@example.com'),
    ('a' * 64 + '@example.com', 'a' * 64 + '@example.com'),
    # Typed with an East Asian input method: read as ASCII, as find() reads stored values.
    ('\uff4a\uff41\uff4e\uff45.doe@example.com', 'jane.doe@example.com'),
    ('jane.doe\uff20example.com', 'jane.doe@example.com'),
    ('jane.doe@example\u3002com', 'jane.doe@example.com'),
])
def test_email_normalized(value, normalized):
    subjects = parse_subjects([value])
    assert len(subjects) == 1
    assert subjects[0].kind == 'email'
    assert subjects[0].normalized == normalized
    assert subjects[0].region is None


@pytest.mark.parametrize('value, region', [
    ('+44 20 7946 0958', None),
    ('+442079460958', None),
    ('020 7946 0958', 'GB'),
    ('020 7946 0958', 'gb'),
    ('(020) 7946-0958', 'GB'),
    ('0044 20 7946 0958', None),
    ('0044 20 7946 0958', 'US'),
    ('011 44 20 7946 0958', 'US'),
    ('tel:+44-20-7946-0958', None),
    ('TEL: +44 20 7946 0958', None),
    ('+44.20.7946.0958', None),
    ('+44 (0)20 7946 0958', None),
    ('(+44) 20 7946 0958', None),
    ('442079460958', 'GB'),
    ('\uff0b\uff14\uff14 \uff12\uff10 \uff17\uff19\uff14\uff16 \uff10\uff19\uff15\uff18', None),
    ('+44\u00a020\u00a07946\u00a00958', None),
    ('\uff10\uff12\uff10\uff0d\uff17\uff19\uff14\uff16\uff0d\uff10\uff19\uff15\uff18', 'GB'),
    ('020\u30007946\u30000958', 'GB'),
    ('020\u30fc7946\u30fc0958', 'GB'),
])
def test_phone_normalized_to_e164(value, region):
    subjects = parse_subjects([value], default_region=region)
    assert len(subjects) == 1
    assert subjects[0].kind == 'phone'
    assert subjects[0].normalized == DEMO_PHONE
    assert subjects[0].region == 'GB'


@pytest.mark.parametrize('value, normalized, region', [
    ('+1 202-555-0143', '+12025550143', 'US'),
    ('(202) 555-0143', '+12025550143', 'US'),
    ('+33 1 99 00 12 34', '+33199001234', 'FR'),
    ('01 99 00 12 34', '+33199001234', 'FR'),
])
def test_phone_region_recorded(value, normalized, region):
    default_region = None if value.startswith('+') else region
    subject = parse_subjects([value], default_region=default_region)[0]
    assert subject.normalized == normalized
    assert subject.region == region


def test_duplicates_merged_in_input_order():
    subjects = parse_subjects(
        ['jane.doe@example.com', '+44 20 7946 0958', 'JANE.DOE@example.com', '020 7946 0958',
         'mailto:Jane.Doe@Example.COM'],
        default_region='GB')
    assert [s.normalized for s in subjects] == ['jane.doe@example.com', DEMO_PHONE]
    assert subjects[0].indexes == (0, 2, 4)
    assert subjects[1].indexes == (1, 3)


def test_subject_id_is_salted_hmac():
    expected = 'subj-' + hmac.new(b'salt', DEMO_PHONE.encode(), hashlib.sha256).hexdigest()[:16]
    assert subject_id(b'salt', DEMO_PHONE) == expected
    assert subject_id('salt', DEMO_PHONE) == expected
    assert re.fullmatch(r'subj-[0-9a-f]{16}', expected)


def test_subject_id_depends_on_salt():
    assert subject_id(b'one', DEMO_PHONE) != subject_id(b'two', DEMO_PHONE)
    assert subject_id(b'', DEMO_PHONE) == subject_id(None, DEMO_PHONE)


def test_parse_subjects_sets_ids():
    subjects = parse_subjects(['jane.doe@example.com', '+44 20 7946 0958'], salt=b'run-salt')
    assert subjects[0].subject_id == subject_id(b'run-salt', 'jane.doe@example.com')
    assert subjects[1].subject_id == subject_id(b'run-salt', DEMO_PHONE)


@pytest.mark.parametrize('value, region, masked', [
    ('jane.doe@example.com', None, 'j***@e***.com'),
    ('max.mustermann@example.org', None, 'm***@e***.org'),
    ('+44 20 7946 0958', None, '+44*******958'),
    ('+1 202-555-0143', None, '+1*******143'),
    ('020 7946 0958', 'GB', '+44*******958'),
])
def test_subject_masked(value, region, masked):
    subject = parse_subjects([value], default_region=region)[0]
    assert subject.masked == masked
    assert subject.normalized not in subject.masked


def test_repr_hides_value():
    subject = parse_subjects(['jane.doe@example.com'])[0]
    assert 'jane' not in repr(subject)
    assert subject.subject_id in repr(subject)


LONG_DOMAIN = '.'.join(['d' * 60] * 5) + '.com'


@pytest.mark.parametrize('value, message', [
    ('', 'is empty'),
    ('   \t ', 'is empty'),
    ('x', 'too short (1 character)'),
    ('7', 'too short (1 character)'),
    ('j' * 321, 'too long (321 characters, maximum 320)'),
    ('jane.doe\x00@example.com', 'control character'),
    ('jane.doe@example.com\nmax@example.org', 'control character'),
    ('jane\u200b.doe@example.com', 'invisible formatting character'),
    ('+44 20\u200b7946 0958', 'invisible formatting character'),
    ('Jane Doe', 'neither a valid e-mail address nor a valid phone number'),
    ('jane.doe', 'neither a valid e-mail address nor a valid phone number'),
    ('DROP TABLE settings', 'Free-text search is not supported'),
    ('+44 20 7946 0958 ext. 12', 'neither a valid e-mail address nor a valid phone number'),
    ('ORD-442079460958', 'neither a valid e-mail address nor a valid phone number'),
    ('jane doe@example.com', 'it contains whitespace'),
    ('jane@doe@example.com', 'more than one @'),
    ('@example.com', 'local part before the @ is empty'),
    ('jane.doe@', 'the domain after the @ is empty'),
    ('jane.doe@example', 'the domain has no dot'),
    ('jane.doe@example..com', 'two dots in a row'),
    ('jane.doe@.example.com', 'starts or ends with a dot'),
    ('jane.doe@exa_mple.com', 'a character other than letters, digits, hyphens and dots'),
    ('jane.doe@-example.com', 'starts or ends with a hyphen'),
    ('jane.doe@' + 'e' * 64 + '.com', 'longer than 63 characters'),
    ('jane..doe@example.com', 'two dots in a row'),
    ('.jane@example.com', 'starts or ends with a dot'),
    ('jane(doe)@example.com', 'character that is not allowed'),
    ('"jane doe"@example.com', 'it contains whitespace'),
    ('"jane"@example.com', 'quoted local parts are not supported'),
    ('j' * 65 + '@example.com', 'local part is longer than 64 characters'),
    ('jane@' + LONG_DOMAIN, 'longer than 254 characters'),
    ('+44 20 7946 095', 'is not a valid phone number'),
    ('+44 20 7946 09581', 'is not a valid phone number: it has too many digits'),
    ('+999 1234 5678', 'country calling code is not assigned'),
    ('+33 20 7946 0958', 'is not a valid phone number'),
    ('+', 'too short'),
    ('12', 'in national format, so default_region must be set'),
    ('020 7946 0958', 'in national format, so default_region must be set (for example GB)'),
    ('(020) 7946-0958', 'default_region must be set'),
])
def test_invalid_subject_rejected(value, message):
    with pytest.raises(SubjectError) as caught:
        parse_subjects(['max.mustermann@example.org', value])
    text = str(caught.value)
    assert text.startswith('subjects[1] ')
    assert message in text
    if len(value.strip()) >= 4:
        assert value.strip() not in text
        assert value.strip().lower() not in text.lower()


@pytest.mark.parametrize('value, region, message', [
    ('020 7946 095', 'GB', 'read as a national number of region GB'),
    ('202-555-014', 'US', 'is not a valid phone number'),
    ('020 7946 0958', 'US', 'read as a national number of region US'),
])
def test_invalid_national_number_names_region(value, region, message):
    with pytest.raises(SubjectError) as caught:
        parse_subjects([value], default_region=region)
    assert str(caught.value).startswith('subjects[0] ')
    assert message in str(caught.value)
    assert value not in str(caught.value)


def test_error_names_custom_field():
    with pytest.raises(SubjectError) as caught:
        parse_subjects(['jane.doe@example.com', 'Jane Doe', 'x'], field='search')
    assert str(caught.value).startswith('search[1] is neither')


@pytest.mark.parametrize('values, message', [
    ([], 'subjects is empty'),
    ((), 'subjects is empty'),
    ('jane.doe@example.com', 'subjects must be a list of e-mail addresses and phone numbers, got str'),
    (None, 'subjects must be a list of e-mail addresses and phone numbers, got NoneType'),
    ({'jane.doe@example.com': 1}, 'got dict'),
])
def test_invalid_list_rejected(values, message):
    with pytest.raises(SubjectError) as caught:
        parse_subjects(values)
    assert message in str(caught.value)
    assert 'jane' not in str(caught.value)


@pytest.mark.parametrize('value, type_name', [(442079460958, 'int'), (None, 'NoneType'), (['a@b.c'], 'list')])
def test_item_must_be_string(value, type_name):
    with pytest.raises(SubjectError) as caught:
        parse_subjects([value])
    assert str(caught.value) == 'subjects[0] must be a string, got %s' % type_name


@pytest.mark.parametrize('region, expected', [(None, None), ('', None), ('gb', 'GB'), (' US ', 'US')])
def test_region_normalized(region, expected):
    assert normalize_region(region) == expected


@pytest.mark.parametrize('region', ['XX', 'UK', 'GBR', '44'])
def test_unknown_region_rejected(region):
    with pytest.raises(SubjectError) as caught:
        parse_subjects(['+44 20 7946 0958'], default_region=region)
    expected = "default_region '%s' is not a region code that the phonenumbers library supports" % region
    assert str(caught.value).startswith(expected)


WITHOUT_PHONENUMBERS = """
import sys
sys.modules['phonenumbers'] = None
from ansible_collections.gdpr.gws.plugins.module_utils import _masking, _matching, _subjects
assert not _subjects.HAS_PHONENUMBERS
assert not _matching.HAS_PHONENUMBERS
assert not _masking.HAS_PHONENUMBERS
assert 'phonenumbers' in _subjects.PHONENUMBERS_IMPORT_ERROR
subjects = _subjects.parse_subjects(['jane.doe@example.com'])
assert _matching.Matcher(subjects).find('["Jane.Doe@example.com"]')
try:
    _subjects.parse_subjects(['+44 20 7946 0958'])
except RuntimeError as error:
    print(error)
"""


def test_import_without_phonenumbers():
    # A separate interpreter, because blocking the import here would change the modules
    # that the other tests use.
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    completed = subprocess.run([sys.executable, '-c', WITHOUT_PHONENUMBERS], env=environment,
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == 'the phonenumbers Python library is required to parse phone numbers'
