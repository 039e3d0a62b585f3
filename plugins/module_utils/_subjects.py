# -*- coding: utf-8 -*-
# Internal module of the gdpr.gws collection, not a public API.
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parse and normalize the subjects of a GDPR request.

A subject is an e-mail address or a phone number. E-mail addresses are lower-cased, and
phone numbers are converted to E.164 with the phonenumbers library. Anything else is
rejected, because a free-text search would also match other people's data. Error messages
name the option and the list index and never contain the value, which is personal data.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import hmac
import re
import traceback
import unicodedata

try:
    import phonenumbers
except ImportError:
    HAS_PHONENUMBERS = False
    PHONENUMBERS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PHONENUMBERS = True
    PHONENUMBERS_IMPORT_ERROR = None

from ansible_collections.gdpr.gws.plugins.module_utils._masking import mask_email, mask_phone


KIND_EMAIL = 'email'
KIND_PHONE = 'phone'

# 64 (local part) + 1 + 255 (domain): the total that RFC 3696, section 3, gives before its errata.
MAX_SUBJECT_LENGTH = 320
# RFC 5321, section 4.5.3.1: a local part has at most 64 octets, and a path at most 256
# including its angle brackets, which leaves 254 for the address.
MAX_LOCAL_PART_LENGTH = 64
MAX_EMAIL_LENGTH = 254
MAX_DOMAIN_LABEL_LENGTH = 63

# Characters of an unquoted local part (RFC 5322 atext plus dots), extended to every Unicode
# letter and digit because RFC 6531 and 6532 allow UTF-8 addresses. _matching builds its
# tokens from the same classes, so every accepted address can also be found in text.
EMAIL_LOCAL_CLASS = r"[\w!#$%&'*+/=?^`{|}~.-]"
EMAIL_DOMAIN_CLASS = r"[\w-]"

# Characters read as ASCII, as East Asian input methods type them:
# - the fullwidth forms of '!' to '~' (U+FF01 to U+FF5E), as in jane.doe＠example.com;
# - the ideographic full stops U+3002 and U+FF61, which IDNA reads as dots (RFC 3490, section 3.1);
# - the small full stop and commercial at (U+FE52, U+FE6B);
# - spaces of other widths than the phone separators' (ogham, en to hair, medium mathematical, ideographic).
# NFKC folds these too, but it also turns ligatures, superscripts and circled digits into letters and digits.
_FULLWIDTH_OFFSET = 0xFF01 - ord('!')
OTHER_SPACES = '\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u205f\u3000'
WIDTH_TABLE = dict((code, code - _FULLWIDTH_OFFSET) for code in range(0xFF01, 0xFF5F))
WIDTH_TABLE.update(dict.fromkeys(map(ord, '\u3002\uff61\ufe52'), '.'))
WIDTH_TABLE[0xFE6B] = '@'
WIDTH_TABLE.update(dict.fromkeys(map(ord, OTHER_SPACES), ' '))
_LOCAL_ATOM = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+")
_PHONE_CHARACTERS = re.compile(r"\(?\s*[+\uff0b]?[\d\s().\-/\u2010-\u2015\u30fb\u30fc\uff70]+")

_PHONE_REASONS = {
    'INVALID_COUNTRY_CODE': 'its country calling code is not assigned',
    'TOO_SHORT': 'it has too few digits for its country',
    'TOO_LONG': 'it has too many digits for its country',
    'INVALID_LENGTH': 'its number of digits is not used in its country',
    'IS_POSSIBLE_LOCAL_ONLY': 'it has no area code',
    'IS_POSSIBLE': 'it is not in a number range assigned in its country',
}


if HAS_PHONENUMBERS:
    _PARSE_ERROR_REASONS = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: 'its country calling code is not assigned',
        phonenumbers.NumberParseException.NOT_A_NUMBER: 'it is not a number',
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: 'it has too few digits after the international prefix',
        phonenumbers.NumberParseException.TOO_SHORT_NSN: 'it has too few digits',
        phonenumbers.NumberParseException.TOO_LONG: 'it has too many digits',
    }
else:
    _PARSE_ERROR_REASONS = {}


class SubjectError(ValueError):
    """Invalid subject or region. The message names the option and index, never the value."""


class Subject:
    """One subject of a request in normalized form.

    kind is 'email' or 'phone'. normalized is the lower-case address or the E.164 number.
    subject_id is the salted hash that results and reports use in place of the value, and
    masked is the value masked for display. region is the phone number's region code
    (None for e-mail addresses and non-geographic numbers). indexes are the positions in
    the input list that normalized to this subject.
    """

    __slots__ = ('kind', 'normalized', 'subject_id', 'masked', 'region', 'indexes')

    def __init__(self, kind, normalized, subject_id, masked, region=None, indexes=()):
        self.kind = kind
        self.normalized = normalized
        self.subject_id = subject_id
        self.masked = masked
        self.region = region
        self.indexes = tuple(indexes)

    def __repr__(self):
        # The normalized value is personal data, so it stays out of the representation.
        return 'Subject(kind=%r, subject_id=%r, masked=%r)' % (self.kind, self.subject_id, self.masked)


def subject_id(salt, normalized):
    """Return 'subj-' and the first 16 hex digits of HMAC-SHA256(salt, normalized)."""
    if salt is None:
        salt = b''
    elif isinstance(salt, str):
        salt = salt.encode('utf-8')
    digest = hmac.new(salt, normalized.encode('utf-8'), hashlib.sha256).hexdigest()
    return 'subj-' + digest[:16]


def normalize_region(region, field='default_region'):
    """Return the region code in upper case, or None when no region is given.

    Raises SubjectError when phonenumbers does not know the region. The region is echoed
    in the message because it is not personal data.
    """
    if region is None:
        return None
    if not isinstance(region, str):
        raise SubjectError('%s must be a string such as GB, got %s' % (field, type(region).__name__))
    code = region.strip().upper()
    if not code:
        return None
    if HAS_PHONENUMBERS and code not in phonenumbers.SUPPORTED_REGIONS:
        raise SubjectError(
            "%s '%s' is not a region code that the phonenumbers library supports. "
            'Use a two-letter ISO 3166-1 code such as GB, US or FR.' % (field, region.strip()))
    return code


def normalize_email_parts(local, domain):
    """Return the normalized address for a local part and a domain.

    The address is lower-cased, a local part with non-ASCII letters is put in Unicode NFC, and a
    domain with non-ASCII letters is converted to its ASCII (punycode) form, so both spellings of
    an internationalized domain compare equal.
    """
    domain = domain.lower()
    # A local part with an accent written as a combining character is compared in its composed
    # form (NFC), so that it equals the same address typed with precomposed letters.
    if not local.isascii():
        local = unicodedata.normalize('NFC', local)
    # A domain longer than an address can be is left as it is, because the idna codec
    # is slow on long input and such a token cannot equal a subject.
    if not domain.isascii() and len(domain) <= MAX_EMAIL_LENGTH:
        try:
            domain = domain.encode('idna').decode('ascii')
        except UnicodeError:
            pass
    return local.lower() + '@' + domain


def compact_phone(text):
    """Return the digits of a phone number, with a leading '+' when the number starts with one.

    A '+' counts when only spaces and opening brackets come before it, as in ``(+44) 20``.

    Every Unicode decimal digit is converted to its ASCII digit, and all punctuation and
    spaces are dropped.
    """
    plus = '+' if text.lstrip(' \t(')[:1] in ('+', '\uff0b') else ''
    if text.isascii():
        digits = ''.join(char for char in text if '0' <= char <= '9')
    else:
        digits = ''.join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())
    return plus + digits


def to_international(compact):
    """Rewrite a leading 00 international prefix as '+'.

    00 is the international prefix of most countries outside North America, so it is read
    as one whatever the default region is. Other prefixes, such as 011 in the US, are left
    to phonenumbers, which strips the prefix of the default region.
    """
    if compact.startswith('00'):
        return '+' + compact[2:]
    return compact


def parse_subjects(values, default_region=None, salt=b'', field='subjects'):
    """Validate and normalize a list of subjects and return a list of Subject.

    Subjects that normalize to the same value are merged into one, in the order first seen.
    default_region is the region for phone numbers in national format. Raises SubjectError
    for an empty list or an invalid item. The message names the item as ``field[index]``.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise SubjectError('%s must be a list of e-mail addresses and phone numbers, got %s'
                           % (field, type(values).__name__))
    if not values:
        raise SubjectError('%s is empty. Give at least one e-mail address or phone number.' % field)
    region = normalize_region(default_region)

    by_value = {}
    for index, value in enumerate(values):
        label = '%s[%d]' % (field, index)
        kind, normalized, subject_region = _parse_one(value, label, region)
        if normalized in by_value:
            by_value[normalized].indexes += (index,)
            continue
        if kind == KIND_EMAIL:
            masked = mask_email(normalized)
        else:
            masked = mask_phone(normalized)
        by_value[normalized] = Subject(kind, normalized, subject_id(salt, normalized), masked,
                                       region=subject_region, indexes=(index,))
    return list(by_value.values())


def _parse_one(value, label, region):
    """Return (kind, normalized, region) for one subject, or raise SubjectError."""
    if not isinstance(value, str):
        raise SubjectError('%s must be a string, got %s' % (label, type(value).__name__))
    # The text as find() reads stored values, so that a subject typed with an East Asian input method matches.
    text = value.translate(WIDTH_TABLE).strip()

    if not text:
        raise SubjectError('%s is empty' % label)
    if len(text) > MAX_SUBJECT_LENGTH:
        raise SubjectError('%s is too long (%d characters, maximum %d) to be an e-mail address or phone number'
                           % (label, len(text), MAX_SUBJECT_LENGTH))
    if any(unicodedata.category(char) in ('Cc', 'Cf', 'Zl', 'Zp') for char in text):
        raise SubjectError('%s contains a control character or an invisible formatting character. '
                           'Remove line breaks, tabs and zero-width characters.' % label)
    if len(text) == 1:
        raise SubjectError('%s is too short (1 character) to be an e-mail address or phone number' % label)

    if '@' in text:
        return KIND_EMAIL, _parse_email(text, label), None

    number = text[4:].strip() if text[:4].lower() == 'tel:' else text
    if number and _PHONE_CHARACTERS.fullmatch(number) and any(char.isdigit() for char in number):
        return (KIND_PHONE,) + _parse_phone(number, label, region)

    raise SubjectError('%s is neither a valid e-mail address nor a valid phone number. '
                       'Free-text search is not supported.' % label)


def _parse_email(text, label):
    if text[:7].lower() == 'mailto:':
        text = text[7:]
    if not text.isascii():
        # An accent typed as a combining character is checked and compared as one letter.
        text = unicodedata.normalize('NFC', text)
    problem = _email_problem(text)
    if problem:
        raise SubjectError('%s is not a valid e-mail address: %s' % (label, problem))
    local, domain = text.split('@')
    try:
        domain.encode('idna')
    except UnicodeError:
        raise SubjectError('%s is not a valid e-mail address: its domain is not a valid '
                           'internationalized domain name' % label) from None
    return normalize_email_parts(local, domain)


def _email_problem(text):
    """Return why text is not an acceptable e-mail address, or None when it is."""
    if any(char.isspace() for char in text):
        return 'it contains whitespace'
    if text.count('@') != 1:
        return 'it contains more than one @'
    if len(text) > MAX_EMAIL_LENGTH:
        return 'it is longer than %d characters' % MAX_EMAIL_LENGTH
    local, domain = text.split('@')

    if not local:
        return 'the local part before the @ is empty'
    if len(local) > MAX_LOCAL_PART_LENGTH:
        return 'the local part is longer than %d characters' % MAX_LOCAL_PART_LENGTH
    if local.startswith('"'):
        return 'quoted local parts are not supported'
    if not all(_LOCAL_ATOM.fullmatch(atom) for atom in local.split('.')):
        return ('the local part starts or ends with a dot, contains two dots in a row, '
                'or contains a character that is not allowed')

    if not domain:
        return 'the domain after the @ is empty'
    labels = domain.split('.')
    if len(labels) < 2:
        return 'the domain has no dot'
    for domain_label in labels:
        if not domain_label:
            return 'the domain starts or ends with a dot or contains two dots in a row'
        if len(domain_label) > MAX_DOMAIN_LABEL_LENGTH:
            return 'a domain label is longer than %d characters' % MAX_DOMAIN_LABEL_LENGTH
        if domain_label[0] == '-' or domain_label[-1] == '-':
            return 'a domain label starts or ends with a hyphen'
        if not all(char.isalnum() or char == '-' for char in domain_label):
            return 'the domain contains a character other than letters, digits, hyphens and dots'
    return None


def _parse_phone(text, label, region):
    """Return (E.164 number, region code) for a phone subject, or raise SubjectError."""
    if not HAS_PHONENUMBERS:
        raise RuntimeError('the phonenumbers Python library is required to parse phone numbers')

    compact = to_international(compact_phone(text))
    if not compact.startswith('+') and region is None:
        raise SubjectError(
            '%s is a phone number in national format, so default_region must be set (for example GB), '
            'or the number must be written in international format with a leading + or 00' % label)

    read_as = '' if compact.startswith('+') else ' (read as a national number of region %s)' % region
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as error:
        reason = _PARSE_ERROR_REASONS.get(error.error_type, 'phonenumbers cannot parse it')
        raise SubjectError('%s is not a valid phone number: %s%s' % (label, reason, read_as)) from None
    if not phonenumbers.is_valid_number(number):
        raise SubjectError('%s is not a valid phone number: %s%s' % (label, _invalid_reason(number), read_as))

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    number_region = phonenumbers.region_code_for_number(number)
    if number_region in (None, phonenumbers.UNKNOWN_REGION, phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY):
        number_region = None
    return e164, number_region


def _invalid_reason(number):
    result = phonenumbers.is_possible_number_with_reason(number)
    for name, reason in _PHONE_REASONS.items():
        if getattr(phonenumbers.ValidationResult, name, None) == result:
            return reason
    return 'phonenumbers rejects it'
