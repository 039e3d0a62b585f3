# -*- coding: utf-8 -*-
# Internal module of the gdpr.gws collection, not a public API.
# SPDX-License-Identifier: GPL-3.0-or-later

"""Find the subjects of a request in setting values.

A value is parsed as JSON and walked. Every string value, every integer and every object
key is searched. A string value that is itself a JSON object or array is walked too, and
its location gets the mark ``<json>``, as in ``$.value<json>.email``. A value that is not
JSON is searched as plain text. A string is searched as it reads: JSON ``\\uXXXX`` escapes
left in it, URL percent-escapes and HTML character references are decoded (again, for text
escaped twice), and the result is put in Unicode NFC, without invisible characters such as
direction marks and soft hyphens, and with the fullwidth forms of ASCII characters (as East
Asian input methods type them) and spaces of other widths read as ASCII. The raw text is not
searched, because
an escape can end a token early there: ``bob&amp;jane.doe@example.com`` reads as
``bob&jane.doe@example.com``, not ``jane.doe@example.com``.

E-mail addresses match as whole addresses, case-insensitively. A token is the longest run
of address characters around an ``@``, so ``xjane.doe@example.com`` and
``jane.doe@example.com.au`` are different addresses from ``jane.doe@example.com``. Some
characters are allowed in a local part but in practice separate fields: ``=``, ``/``,
``?``, ``{``, ``|`` and the other RFC 5322 atext specials except ``+``, ``'``, ``-`` and
``_``. The local part is also tried from just after each of them, and without a leading
quote, so ``email=jane.doe@example.com`` and ``'jane.doe@example.com'`` match.

Phone numbers match as numbers. A candidate is a run of digits with spaces and the
punctuation ``( ) . - /`` between them, optionally after ``+`` or ``(``. It is converted
with phonenumbers and compared with the subjects in E.164 form. A run is part of a longer
reference, and does not match, when a letter (but not a Han, kana or Hangul one), digit or
``_`` touches it, when ``#`` comes right before it, or when a hyphen joins it to a letter or
digit. So
``4420794609581``, ``ORD-442079460958-7`` and ``ORD-442079460958`` do not contain
``+44 20 7946 0958``. An extension marker (``x12``, ``ext. 12``) right after a number is
allowed. A run that starts with ``0.`` is a decimal fraction, not a number.

A run with more digits than one number can have (19: 15 for E.164 and a 4-digit
international prefix) is split at its spaces, so a list of numbers separated only by
spaces is still found. A number in national format is read with default_region and with
the region of every phone subject that ends in the same 4 digits, so ``020 7946 0958``
finds ``+44 20 7946 0958`` even when default_region is not set.

No step loops over the subjects. Tokens are extracted once per string and looked up in
dicts. Only phone candidates that end in the last 4 digits of a phone subject, and in the
last 7 digits of its national number, are parsed, and parse results are cached, so more
phone subjects cost at most one parse per candidate.

Matcher.may_contain is a pre-filter for scans: it reads the raw text of a value with a few
string operations and set look-ups, without parsing JSON, and returns False only for values
in which find() cannot find a subject. Matcher.candidates runs the same kind of checks on a
whole page of values at once and passes on only the values they cannot rule out.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import bisect
import collections
import functools
import html
import html.entities
import itertools
import json
import operator
import re
import traceback
import unicodedata

from urllib.parse import unquote

try:
    import phonenumbers
except ImportError:
    HAS_PHONENUMBERS = False
    PHONENUMBERS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PHONENUMBERS = True
    PHONENUMBERS_IMPORT_ERROR = None

# Optional: with it, the page pre-filter finds the last digits of many phone subjects in one
# pass of compiled code. Without it, the pre-filter reads the digit runs in Python.
try:
    import ahocorasick
except ImportError:
    HAS_AHOCORASICK = False
else:
    HAS_AHOCORASICK = True

from ansible_collections.gdpr.gws.plugins.module_utils._subjects import (
    EMAIL_DOMAIN_CLASS,
    EMAIL_LOCAL_CLASS,
    KIND_EMAIL,
    KIND_PHONE,
    MAX_LOCAL_PART_LENGTH,
    OTHER_SPACES,
    WIDTH_TABLE,
    compact_phone,
    normalize_email_parts,
    normalize_region,
    to_international,
)


Hit = collections.namedtuple('Hit', ['subject_id', 'location'])
Hit.__doc__ = """One subject found in one value: its id and the JSON path where it was found."""

# Parse results are cached per (candidate digits, region). 65536 entries took 18 MB when
# measured with tracemalloc on CPython 3.11.
PHONE_CACHE_SIZE = 65536
# JSON inside a string value is walked down to this many levels, then searched as text.
MAX_EMBEDDED_JSON_DEPTH = 8
# 15 digits of an E.164 number plus a 4-digit international prefix such as 0011.
MAX_NUMBER_DIGITS = 19
# Shortest candidate that extract_phones parses.
MIN_NUMBER_DIGITS = 4
# extract_phones splits at most this many space-separated groups of one run, because
# without subjects to filter on, every span of a run must be parsed.
MAX_SPLIT_GROUPS = 256
# Length of the phone number suffix used to decide which candidates are worth parsing.
SUFFIX_DIGITS = 4
# A candidate is parsed only when its digits also end in the last TAIL_DIGITS digits of the
# national significant number of a subject with that suffix (or in all of them, when it is
# shorter). phonenumbers 8 and 9 read a number by removing or rewriting a prefix (country
# code, international or national prefix, carrier code) and keep the digits after it, so a
# candidate that parses to a subject's E.164 form ends in the subject's national digits.
# NOTE: that is read from phonenumbers' parser and checked on the example numbers of every
# region in all formats (test_matching), not proven for every region's metadata.
TAIL_DIGITS = 7

# Characters that end a field before an address, as in "email=jane.doe@example.com" or "{{jane.doe@...".
# Other characters that are valid in a local part (& ! # $ % * ^ ~) are not here, because
# "bob&jane.doe@example.com" is a different person's address.
_FIELD_SEPARATORS = frozenset("/=?`{|}")

_PLUS = '+\uff0b'
# U+30FC, the katakana long vowel mark (U+FF70 in halfwidth), is typed as a dash between the digit
# groups of Japanese numbers, and phonenumbers reads it as punctuation too; U+30FB is the katakana middle dot.
_PHONE_SEPARATOR = r"[ \t\u00a0\u2007\u2009\u202f().\-/\u2010-\u2015\u2212\u30fb\u30fc\uff70]"
# A run is matched from its first character, so a run glued to a reference is rejected
# whole instead of being read again from its second group of digits.
_PHONE_RUN = re.compile(r"(?:[{plus}]|\(\s?[{plus}]?)?\d(?:{sep}{{0,3}}\d)*".format(
    plus=_PLUS, sep=_PHONE_SEPARATOR))
_HYPHENS = frozenset('-\u2010\u2011\u2012\u2013\u2014\u2015\u2212')
# Phone numbers are not written as '0.' and digits, but decimal fractions are, and
# '0.0442079460958' would otherwise read as the international prefix 00.
_DECIMAL_FRACTION = re.compile(r"0\.\d")
# Han, kana and Hangul letters. These scripts put no spaces between words, so a word can touch an
# address or a number, as in メールjane.doe@example.com or 電話020 7946 0958. Such a letter does not
# glue a number to a reference, and local parts and domains are also tried without it.
# The ranges:
# - Hangul Jamo, compatibility Jamo and syllables, and halfwidth katakana and Hangul;
# - U+3005 to U+3007: the iteration mark of 我々, the closing mark and ideographic zero;
# - kana, Bopomofo and their extensions;
# - CJK ideographs, their extensions and the compatibility ideographs.
_CJK = re.compile('[\u1100-\u11ff\u3005-\u3007\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf'
                  '\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uffdc'
                  '\U00020000-\U0003ffff]')
_DOMAIN = re.compile(r"{domain}+(?:\.{domain}+)+".format(domain=EMAIL_DOMAIN_CLASS))
_EXTENSION = re.compile(r"(?:x|ext\.?)\s?\d{1,6}(?!\w)", re.IGNORECASE)

_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")

# Patterns and tables of the pre-filter, Matcher.may_contain.
_AT_DOMAIN = re.compile(r"@({domain}+(?:\.{domain}+)+)".format(domain=EMAIL_DOMAIN_CLASS))
# Invisible characters, which find() deletes, so that text reads as it displays: direction marks
# and isolates (as around a number in right-to-left text), zero width space and joiners, soft
# hyphen, word joiner and byte order mark. bob<ZWSP>jane.doe@example.com displays as one address.
_INVISIBLE_CHARACTERS = ('\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060'
                         '\u2066\u2067\u2068\u2069\ufeff')
# Their UTF-8 forms, for the page pre-filter: deleting one can join a subject's local part.
_INVISIBLE_BYTES = tuple(char.encode('utf-8') for char in _INVISIBLE_CHARACTERS)
# The characters that find() deletes or replaces before it reads a text: the invisible ones, and those
# that WIDTH_TABLE maps to ASCII, as parse_subjects does in the subjects.
_DISPLAY_CHANGING = re.compile('[%s%s]' % (_INVISIBLE_CHARACTERS, ''.join(map(chr, WIDTH_TABLE))))
_DISPLAY_TABLE = dict.fromkeys(map(ord, _INVISIBLE_CHARACTERS))
_DISPLAY_TABLE.update(WIDTH_TABLE)
# For the page pre-filter: the UTF-8 forms of the fullwidth and small '@', and a pattern of the characters
# that WIDTH_TABLE maps to ASCII characters of addresses: fullwidth forms, ideographic and small full stops.
_FULLWIDTH_AT = '\uff20'.encode('utf-8')
_SMALL_AT = '\ufe6b'.encode('utf-8')
_FULLWIDTH_BYTES = re.compile(
    b'\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]|\xe3\x80\x82|\xef\xbd\xa1|\xef\xb9\x92|\xef\xb9\xab')
# Characters outside ASCII that a phone run can contain, as separators or digits, or that
# find() deletes from one or reads as ASCII separators.
_NON_ASCII_PHONE_CHARACTER = re.compile(
    r"[\u00a0\u2007\u2009\u202f\u2010-\u2015\u2212\u3002\u30fb\u30fc\uff08\uff09\uff0b\uff0d-\uff0f\uff61\uff70%s%s]|(?![0-9])\d"
    % (_INVISIBLE_CHARACTERS, OTHER_SPACES))
# Escapes whose decoded form can change an e-mail token or a phone run: a \uXXXX can be any
# character, \t is a separator and \/ a separator and e-mail field separator. Other escapes
# (\" \\ \n \r \b \f) put a character that ends tokens and runs where a decoded one does.
_TOKEN_CHANGING_ESCAPE = re.compile(r"\\[ut/]")
# The start of an HTML character reference, for the pre-filters: &#64; &#x40; &commat;.
_HTML_REFERENCE = re.compile(r"&[#A-Za-z]")
_HTML_REFERENCE_BYTES = re.compile(_HTML_REFERENCE.pattern.encode('ascii'))
# A whole reference, which find() decodes only with its semicolon: html.unescape() also decodes
# &copy, &reg and other old names without one, which would split bob&copyjane.doe@example.com.
_HTML_REFERENCE_WITH_SEMICOLON = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SURROGATE = re.compile('[\ud800-\udfff]')
# Text escaped more times than this is searched as it reads after this many rounds of decoding.
MAX_DECODE_ROUNDS = 4
_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_JSON_ESCAPED_CHARACTERS = {'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
# JSON inside a string is escaped once more per level, so the pre-filter decodes escapes
# this many times (the walk's depth limit and one level of text search) before it gives
# up and lets find() decide.
MAX_ESCAPE_LEVELS = MAX_EMBEDDED_JSON_DEPTH + 2
# Up to this many distinct phone tails, the pre-filter searches each one as a substring first.
FEW_TAILS = 8
# Characters at the end of a local part that the pre-filter compares before it reads addresses.
EMAIL_SUFFIX_CHARACTERS = 8
# A local part variant longer than this cannot be a subject's, which has at most
# MAX_LOCAL_PART_LENGTH characters. The factor is a margin, because the variants are read from
# NFC text and lower-casing never shortens them.
MAX_LOCAL_VARIANT_LENGTH = 4 * MAX_LOCAL_PART_LENGTH
# The ASCII phone separators of _PHONE_SEPARATOR.
_ASCII_PHONE_SEPARATORS = b" \t().-/"


# U+212A KELVIN SIGN is the only character outside ASCII that str.lower() turns into an ASCII letter.
_KELVIN_SIGN = '\u212a'.encode('utf-8')
# U+1FEF GREEK VARIA is a backtick in NFC. Checked over every code point (Python 3.11's Unicode
# data), it and U+212A are the only characters outside ASCII that NFC or lower() turn into an
# ASCII character of local parts.
_GREEK_VARIA = '\u1fef'.encode('utf-8')
# In a page with one of these or a fullwidth form, the page pre-filter names every '@' and every fullwidth '@'.
_ASCII_CHANGING_BYTES = (_KELVIN_SIGN, _GREEK_VARIA) + _INVISIBLE_BYTES


def _email_suffix_checks(emails):
    """Return (pattern, keys) pairs for Matcher._email_may_match, or None when a subject is not ASCII.

    A key is the last (up to EMAIL_SUFFIX_CHARACTERS) characters of a subject's local part,
    reversed, and its domain. The pattern finds, on the reversed text, that many characters
    after each '@', or an empty string, so that its matches line up with _AT_OR_DOMAIN's.
    """
    if not all(address.isascii() for address in emails):
        return None
    by_length = {}
    for address in emails:
        local, domain = address.rsplit('@', 1)
        length = min(len(local), EMAIL_SUFFIX_CHARACTERS)
        by_length.setdefault(length, set()).add(local[-length:][::-1] + domain)
    return tuple((re.compile(r"@({local}{{{length}}})?".format(local=EMAIL_LOCAL_CLASS, length=length)),
                  frozenset(keys)) for length, keys in sorted(by_length.items()))


def _digit_projection():
    """Return a bytes.translate table: digits stay, phone separators become 's', the rest ' '."""
    table = bytearray(b' ' * 256)
    for char in b'0123456789':
        table[char] = char
    for char in _ASCII_PHONE_SEPARATORS:
        table[char] = ord('s')
    return bytes(table)


_DIGIT_PROJECTION = _digit_projection()
# The same, with the NUL that joins the texts of a page kept as a line break.
_PAGE_PROJECTION = b'\n' + _DIGIT_PROJECTION[1:]
# With _PAGE_PROJECTION, this deletion keeps only the digits of a page, and its NULs as line breaks.
_NOT_DIGIT_OR_NUL = bytes(byte for byte in range(256) if byte != 0 and not 48 <= byte <= 57)
_TOKEN_CHANGING_ESCAPE_BYTES = re.compile(_TOKEN_CHANGING_ESCAPE.pattern.encode('ascii'))
# Matcher.candidates checks the texts of a page in chunks of at most this many texts.
PAGE_CHUNK = 128
# One match per '@': the domain after it, or '' when there is none.
_AT_OR_DOMAIN = re.compile(r"@((?:{domain}+(?:\.{domain}+)+)?)".format(domain=EMAIL_DOMAIN_CLASS))
# On reversed text, one match per '@': the reversed local part before it, or ''.
_AT_AND_LOCAL_PART_REVERSED = re.compile(r"@({local}*)".format(local=EMAIL_LOCAL_CLASS))
# The ASCII characters that make _local_part_variants yield more than the local part itself (Han, kana and Hangul letters do too).
_LOCAL_PART_SPECIALS = re.compile(r"[!#$%&*/=?^`{|}~']")
_ASCII_BYTES = bytes(range(128))
_NON_DIGIT_BYTES = bytes(byte for byte in range(256) if not 48 <= byte <= 57)


def _at_positions(data):
    """Return the position of every '@' in data."""
    lengths = itertools.accumulate(map(len, data.split(b'@')))
    return [length + number for number, length in enumerate(itertools.islice(lengths, data.count(b'@')))]


def _alternatives(words):
    """Return a regular expression (bytes) that matches any of words, with their common beginnings shared.

    Python's re tries the branches of an alternation one after the other, so a flat list of
    1,000 words costs up to 1,000 comparisons at each position. As a tree, it costs a few per character.
    """
    tree = {}
    for word in words:
        node = tree
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = {}

    def pattern(node):
        branches = [re.escape(bytes((byte,))) + pattern(node[byte]) for byte in sorted(key for key in node if key is not None)]
        if not branches:
            return b''
        if None not in node and len(branches) == 1:
            return branches[0]
        return b'(?:' + b'|'.join(branches) + (b')?' if None in node else b')')

    return pattern(tree)


def _positions(text, part):
    """Yield every position of part in text, overlapping ones included."""
    position = text.find(part)
    while position >= 0:
        yield position
        position = text.find(part, position + 1)


class _Offsets:
    """Map a position in texts joined by one separator character to the position of its text."""

    def __init__(self, texts):
        self._starts = list(itertools.accumulate(map((1).__add__, map(len, texts)), initial=0))

    def index_of(self, position):
        return bisect.bisect_right(self._starts, position) - 1

    def start_of(self, index):
        return self._starts[index]


class Matcher:
    """Find subjects in setting values.

    subjects is the list that parse_subjects returns. default_region is the region for
    phone numbers written in national format.
    """

    def __init__(self, subjects, default_region=None):
        self._region = normalize_region(default_region)
        self._emails = {}
        self._phones = {}
        suffix_regions = {}
        national_lengths = []
        tails = {}

        for subject in subjects:
            if subject.kind == KIND_EMAIL:
                self._emails[subject.normalized] = subject.subject_id
                continue
            if subject.kind != KIND_PHONE:
                raise ValueError('unknown subject kind %r' % (subject.kind,))
            if not HAS_PHONENUMBERS:
                raise RuntimeError('the phonenumbers Python library is required to match phone numbers')

            self._phones[subject.normalized] = subject.subject_id
            regions = suffix_regions.setdefault(subject.normalized[-SUFFIX_DIGITS:], [])
            # National forms are read in default_region as that region writes them, and in the subject's own
            # region only when they carry its trunk prefix (the 0 of 01 23 45 67 89 in France). Bare digits
            # read in the subject's region would match another country's number with the same digits.
            for region, trunk_prefix_required in ((self._region, False), (subject.region, True)):
                if region and region not in [known for known, required in regions]:
                    regions.append((region, trunk_prefix_required))
            number = phonenumbers.parse(subject.normalized, None)
            national = phonenumbers.national_significant_number(number)
            national_lengths.append(len(national))
            tails.setdefault(subject.normalized[-SUFFIX_DIGITS:], set()).add(national[-TAIL_DIGITS:])

        self._suffix_regions = dict((suffix, tuple(regions)) for suffix, regions in suffix_regions.items())
        self._tails = dict((suffix, tuple(sorted(values))) for suffix, values in tails.items())
        self._tail_bytes = dict((suffix.encode('ascii'), tuple(value.encode('ascii') for value in values))
                                for suffix, values in self._tails.items())
        # For the pre-filter: per tail length, a getter of that many last digits and the tails.
        tails_by_length = {}
        for values in self._tail_bytes.values():
            for value in values:
                tails_by_length.setdefault(len(value), set()).add(value)
        self._tail_checks = tuple((operator.itemgetter(slice(-length, None)), frozenset(values))
                                  for length, values in sorted(tails_by_length.items()))
        all_tails = sorted(set().union(*tails_by_length.values())) if tails_by_length else []
        self._few_tails = tuple(all_tails) if len(all_tails) <= FEW_TAILS else None
        self._tail_automaton = None
        if self._few_tails is None and HAS_AHOCORASICK:
            self._tail_automaton = ahocorasick.Automaton()
            for tail in all_tails:
                self._tail_automaton.add_word(tail.decode('ascii'), len(tail))
            self._tail_automaton.make_automaton()
        self._min_digits = min(national_lengths) if national_lengths else MIN_NUMBER_DIGITS

        self._email_domains = frozenset(address.rsplit('@', 1)[1] for address in self._emails)
        self._email_suffix_checks = _email_suffix_checks(self._emails)
        # For the page pre-filter: '@' and a subject's local part, on reversed text, with ASCII letters in any case.
        local_parts = set(address.rsplit('@', 1)[0] for address in self._emails)
        self._local_parts_reversed = None
        if local_parts and self._email_suffix_checks is not None and not any('@' in local for local in local_parts):
            self._local_parts_reversed = re.compile(
                _alternatives(b'@' + local.encode('ascii')[::-1] for local in local_parts), re.IGNORECASE)
        self._phone_suffix_bytes = frozenset(suffix.encode('ascii') for suffix in self._suffix_regions)

    def find(self, text):
        """Return a Hit for every subject in a column value and every place it was found.

        text is the value as str or bytes (decoded as UTF-8), or already parsed JSON. Each
        (subject_id, location) pair is returned once, in the order found. A value that is
        not JSON is searched as text and its location is ``$``.
        """
        if text is None or not (self._emails or self._phones):
            return []
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode('utf-8', 'replace')
        if isinstance(text, (dict, list)):
            return self._walk(text)
        if not isinstance(text, str):
            text = str(text)
        if not text.strip():
            return []

        try:
            root = json.loads(text)
        except (ValueError, RecursionError):
            return [Hit(subject_id, '$') for subject_id in sorted(self._subject_ids_in(text))]
        return self._walk(root)

    def may_contain(self, text):
        """Return False when text certainly contains no subject, so find() can be skipped.

        This pre-filter reads the raw text without parsing JSON, and its cost does not grow
        with the number of subjects. Every leaf that find() searches appears verbatim in the
        raw text, or in it after JSON escapes are decoded once per level of JSON inside a
        string, because JSON quotes bound each string and neither e-mail tokens nor phone
        runs contain a quote. Run on those texts, the steps below see every e-mail token and
        phone run that find() sees, so may_contain returns True for every value in which
        find() finds a subject. It can also return True for values where find() finds
        nothing.
        """
        if text is None or not (self._emails or self._phones):
            return False
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode('utf-8', 'replace')
        elif not isinstance(text, str):
            return True

        if '%' in text or ('\\' in text and _TOKEN_CHANGING_ESCAPE.search(text)) or _HTML_REFERENCE.search(text) or (
                not text.isascii() and (_DISPLAY_CHANGING.search(text) or not unicodedata.is_normalized('NFC', text))):
            variants = _raw_variants(text)
            if variants is None:
                return True
            return any(self._text_may_contain(variant, exact=True) for variant in variants)
        # Escapes left in the text end tokens as their decoded forms do, but they can glue a
        # letter to a run, so find() decides when such a text passes the first step.
        return self._text_may_contain(text, exact='\\' not in text)

    def candidates(self, texts):
        """Return, in order, the positions of the texts that may hold a subject, for a page of a scan.

        texts are str, or bytes in UTF-8 as the scan reads them.

        The checks run once on all texts of the page, joined by NULs and encoded as UTF-8, so most
        of the work is a few byte-string calls on one long string instead of a few calls on each
        text. A NUL ends e-mail tokens and phone runs as the end of a text does. Each check
        names the texts in which it finds something, and those go on to may_contain:

        - a '%', an HTML reference, or an escape that may_contain decodes (``\\u``, ``\\t``, ``\\/``);
        - a subject's local part and '@', with ASCII letters in any case, found for all subjects
          at once by one regular expression on the reversed data. Every '@' is named when a
          subject is not ASCII, and in a page with a character that find() reads as an ASCII one
          or deletes (_ASCII_CHANGING_BYTES), or with a fullwidth form, with every fullwidth '@';
        - the subjects' last national digits in the digits of the page: with up to FEW_TAILS
          of them by substring searches, with more by one pass of an Aho-Corasick automaton
          (pyahocorasick). Without pyahocorasick, phone runs as in may_contain: the digit
          projection, and the subjects' last digits at the end of each run.

        So every text in which find() can find a subject is returned.
        """
        if not (self._emails or self._phones) or not texts:
            return []
        if len(texts) > PAGE_CHUNK:
            # Each subject found costs a search of the whole chunk for its position. Short chunks
            # keep that cheap, and the fixed cost of a chunk is a few microseconds.
            return [start + index for start in range(0, len(texts), PAGE_CHUNK)
                    for index in self.candidates(texts[start:start + PAGE_CHUNK])]
        try:
            data = b'\x00'.join(texts) if isinstance(texts[0], bytes) else '\x00'.join(texts).encode('utf-8')
        except (TypeError, UnicodeEncodeError):
            data = None
        # A NUL inside a text would shift the positions of the texts after it.
        if data is None or data.count(b'\x00') != len(texts) - 1:
            return [index for index, text in enumerate(texts) if self.may_contain(text)]

        positions = list(_positions(data, b'%'))
        if b'&' in data:
            positions.extend(match.start() for match in _HTML_REFERENCE_BYTES.finditer(data))
        if b'\\' in data:
            positions.extend(match.start() for match in _TOKEN_CHANGING_ESCAPE_BYTES.finditer(data))
        # The bytes outside ASCII, in the order of the data: a few per text, if any.
        others = b'' if data.isascii() else data.translate(None, _ASCII_BYTES)
        if self._emails and (b'@' in data or _FULLWIDTH_AT in others or _SMALL_AT in others):
            positions.extend(self._email_positions(data, others))
        if self._phones:
            positions.extend(self._phone_positions(data, others))
        if not positions:
            return []
        offsets = _Offsets(data.split(b'\x00'))
        may_contain = self.may_contain
        return [index for index in sorted(set(map(offsets.index_of, positions))) if may_contain(texts[index])]

    def _email_positions(self, data, others):
        """Return positions in data, at least one in each text whose e-mail tokens may include a subject.

        others are the bytes of data outside ASCII.
        """
        if _FULLWIDTH_BYTES.search(others):
            # find() reads a fullwidth letter as an ASCII one, and a fullwidth or small '@' as '@'.
            return _at_positions(data) + list(_positions(data, _FULLWIDTH_AT)) + list(_positions(data, _SMALL_AT))
        if self._local_parts_reversed is None or any(character in others for character in _ASCII_CHANGING_BYTES):
            # A subject outside ASCII, a character that str.lower() or NFC turns into an ASCII one,
            # or an invisible character that find() deletes.
            return _at_positions(data)
        # Every local part that find() tries ends right before an '@'. So the text of a matching
        # token has a subject's local part and '@', with ASCII letters in any case. The domain is
        # not compared, because IDNA maps many domains onto one. On reversed data, each match
        # starts at its '@'.
        last = len(data) - 1
        return [last - match.start() for match in self._local_parts_reversed.finditer(data[::-1])]

    def _phone_positions(self, data, others):
        """Return positions in data, at least one in each text whose phone runs may hold a subject's number.

        others are the bytes of data outside ASCII.
        """
        positions = []
        if others:
            for character in set(_NON_ASCII_PHONE_CHARACTER.findall(others.decode('utf-8', 'replace'))):
                positions.extend(_positions(data, character.encode('utf-8')))
        # The digits of a run, or of a span of a long run, are a substring of the text's digits
        # with all else deleted, and so is a subject's tail that ends them.
        if self._tail_automaton is not None:
            digits = data.translate(_PAGE_PROJECTION, _NOT_DIGIT_OR_NUL).decode('ascii')
            ends = [end for end, _length in self._tail_automaton.iter(digits)]
            if ends:
                line_starts = _Offsets(digits.split('\n'))
                text_starts = _Offsets(data.split(b'\x00'))
                positions.extend(text_starts.start_of(line_starts.index_of(end)) for end in ends)
            return positions
        if self._few_tails is not None:
            # Deleting every separator only joins more digits, so each substring of may_contain's
            # projection is a substring of this one.
            compact = data.translate(_PAGE_PROJECTION, _ASCII_PHONE_SEPARATORS)
            found = [tail for tail in self._few_tails if tail in compact]
        else:
            compact = data.translate(_PAGE_PROJECTION).replace(b'ssss', b' ').replace(b's', b'')
            runs = compact.split()
            if not runs:
                return positions
            found = set()
            for last_digits, tails in self._tail_checks:
                found.update(tails.intersection(map(last_digits, runs)))
            if max(map(len, runs)) > MAX_NUMBER_DIGITS:
                found.update(run for run in runs if len(run) > MAX_NUMBER_DIGITS)
        if found:
            # Only NULs became line breaks, so each line of compact is the projection of one text,
            # and a position in compact is mapped back to data by the number of line breaks before it.
            line_starts = _Offsets(compact.split(b'\n'))
            text_starts = _Offsets(data.split(b'\x00'))
            for digits in found:
                positions.extend(text_starts.start_of(line_starts.index_of(position))
                                 for position in _positions(compact, digits))
        return positions

    def _text_may_contain(self, text, exact):
        """Check one text with cheap tests on whole tokens; where those are weak, run the step of find().

        exact is True when the text has no escapes, so that find()'s own steps can be run on it.
        Candidates that pass the strong tests (an address ending like a subject's, a run of
        digits ending in a subject's national digits) go straight to find(), which is
        rarely wrong then and whose phone parses are cached.
        """
        if self._emails and '@' in text and self._email_may_match(text):
            if self._email_suffix_checks is not None and text.isascii():
                return True
            if not exact or self._email_token_may_match(text):
                return True
        if not self._phones:
            return False

        if text.isascii():
            data = text.encode('ascii')
        else:
            # A \\u escape of half a surrogate pair decodes to a character that UTF-8 cannot encode.
            data = text.encode('utf-8', 'surrogatepass')
            # Only the non-ASCII characters are searched for separators and digits of other
            # scripts, because the regular expression is slow on long texts.
            others = data.translate(None, _ASCII_BYTES).decode('utf-8', 'replace')
            if _NON_ASCII_PHONE_CHARACTER.search(others):
                return not exact or any(True for _unused in self._phone_subject_ids(text))
        # Project the text onto digits and separators, drop separator groups of at most 3
        # characters (which _PHONE_RUN allows between digits), and split the digit runs.
        # Each run then has the digits of one phone run of find().
        compact = data.translate(_DIGIT_PROJECTION).replace(b'ssss', b' ').replace(b's', b'')
        # A candidate's digits, and those of a span of a long run, are a substring of compact,
        # so with few subjects a substring search rules out most texts at once.
        if self._few_tails is not None and not any(tail in compact for tail in self._few_tails):
            return False
        runs = compact.split()
        if not runs:
            return False
        if max(map(len, runs)) > MAX_NUMBER_DIGITS:
            # _split_run reads spans that end inside such a run.
            return not exact or any(True for _unused in self._phone_subject_ids(text))
        for last_digits, tails in self._tail_checks:
            if not tails.isdisjoint(map(last_digits, runs)):
                break
        else:
            return False
        suffixes, tail_bytes = self._phone_suffix_bytes, self._tail_bytes
        return any(len(run) >= self._min_digits and run[-SUFFIX_DIGITS:] in suffixes
                   and run.endswith(tail_bytes[run[-SUFFIX_DIGITS:]]) for run in runs)

    def _email_may_match(self, text):
        """Return False when no '@' of text has a subject's domain and the end of its local part.

        Every local part form that find() tries ends like the whole run of address characters
        before the '@', so the run's last characters must be those of a subject's local part.
        """
        if self._email_suffix_checks is None or not text.isascii():
            for domain in _AT_DOMAIN.findall(text):
                if domain.lower() in self._email_domains or not domain.isascii():
                    return True
            return False
        domains = [domain.lower() for domain in _AT_OR_DOMAIN.findall(text)]
        text_reversed = text[::-1]
        for pattern, keys in self._email_suffix_checks:
            endings = pattern.findall(text_reversed)
            endings.reverse()
            if not keys.isdisjoint(map(operator.add, map(str.lower, endings), domains)):
                return True
        return False

    def _email_token_may_match(self, text):
        """Return True when an e-mail token of text, in a local part form that find() tries, is a subject."""
        emails = self._emails
        domains = _AT_OR_DOMAIN.findall(text)
        # The local part before each '@' is the run of address characters that follows it in
        # the reversed text; both lists have one entry per '@', in opposite orders.
        locals_reversed = _AT_AND_LOCAL_PART_REVERSED.findall(text[::-1])
        for domain, local_reversed in zip(domains, reversed(locals_reversed)):
            if not domain or not local_reversed:
                continue
            local = local_reversed[::-1]
            if domain.isascii() and local.isascii() and not _LOCAL_PART_SPECIALS.search(local):
                if local.lower() + '@' + domain.lower() in emails:
                    return True
                continue
            for variant in _local_part_variants(local, MAX_LOCAL_VARIANT_LENGTH):
                for domain_variant in _domain_variants(domain):
                    if normalize_email_parts(variant, domain_variant) in emails:
                        return True
        return False

    def _walk(self, root):
        # The walk keeps its own stack, so deeply nested values cannot exhaust the call stack.
        # A node's path is kept as a chain of steps, (parent, step), and is written out only
        # for a hit, because the values that reach the walk have many members and few hits.
        hits = []
        seen = set()
        search = self._search
        needs_search = self._needs_search

        def add(subject_ids, steps, suffix=''):
            if not subject_ids:
                return
            location = _location(steps) + suffix
            for subject_id in sorted(subject_ids):
                if (subject_id, location) not in seen:
                    seen.add((subject_id, location))
                    hits.append(Hit(subject_id, location))

        stack = [(root, None, 0)]
        while stack:
            node, steps, depth = stack.pop()
            if isinstance(node, dict):
                members = []
                for position, (key, value) in enumerate(node.items()):
                    key = key if isinstance(key, str) else str(key)
                    member_steps = (steps, (key, position))
                    if needs_search(key):
                        add(search(key), member_steps, '<key>')
                    members.append((value, member_steps, depth))
                stack.extend(reversed(members))
            elif isinstance(node, list):
                stack.extend((node[index], (steps, index), depth) for index in reversed(range(len(node))))
            elif isinstance(node, str):
                embedded = _parse_embedded_json(node, depth)
                if embedded is not None:
                    stack.append((embedded, (steps, _EMBEDDED), depth + 1))
                elif needs_search(node):
                    add(search(node), steps)
            elif isinstance(node, int) and not isinstance(node, bool):
                text = str(node)
                if needs_search(text):
                    add(search(text), steps)
        return hits

    def _needs_search(self, text):
        """Return False for a string in which _search() certainly finds nothing.

        Most strings of a setting are names and flags. Without an '@', an escape or a '%' that
        could decode to one, and with fewer digits than the shortest subject number, a string
        contains no subject. Non-ASCII strings can contain digits of other scripts, so they are searched.
        """
        if not text.isascii() or '@' in text or '%' in text or '\\' in text or '&' in text:
            return True
        return len(text) >= self._min_digits and len(
            text.encode('ascii').translate(None, _NON_DIGIT_BYTES)) >= self._min_digits

    def _subject_ids_in(self, text):
        """Return the ids of the subjects in one string."""
        return self._search(text) if self._needs_search(text) else ()

    def _search(self, text):
        """Return the ids of the subjects in one string, as it reads with its escapes decoded."""
        found = set()
        text = _decoded(text)
        if self._emails and '@' in text:
            for address in _email_candidates(text, MAX_LOCAL_VARIANT_LENGTH):
                subject_id = self._emails.get(address)
                if subject_id:
                    found.add(subject_id)
        if self._phones:
            found.update(self._phone_subject_ids(text))
        return found

    def _phone_subject_ids(self, text):
        for compact in _phone_candidates(text, self._min_digits, self._suffix_regions):
            if not compact.endswith(self._tails[compact[-SUFFIX_DIGITS:]]):
                continue
            compact = to_international(compact)
            if compact.startswith('+'):
                subject_id = self._phones.get(_e164(compact, None))
                if subject_id:
                    yield subject_id
                continue
            for region, trunk_prefix_required in self._suffix_regions[compact[-SUFFIX_DIGITS:]]:
                subject_id = self._phones.get(_national_e164(compact, region, trunk_prefix_required))
                if subject_id:
                    yield subject_id


def extract_emails(text):
    """Return the normalized e-mail address tokens in plain text.

    The set contains every variant of a local part that the matcher tries, so it can hold
    more entries than the text has addresses.
    """
    text = _decoded(text or '')
    return set(_email_candidates(text)) if '@' in text else set()


def extract_phones(text, default_region=None):
    """Return the valid phone numbers in plain text, in E.164 form.

    Numbers in national format are read with default_region and skipped when it is None.
    """
    if not HAS_PHONENUMBERS:
        raise RuntimeError('the phonenumbers Python library is required to extract phone numbers')
    region = normalize_region(default_region)
    found = set()
    for compact in _phone_candidates(_decoded(text or ''), MIN_NUMBER_DIGITS, None):
        compact = to_international(compact)
        if compact.startswith('+'):
            number = _valid_e164(compact, None)
        elif region:
            number = _valid_e164(compact, region)
        else:
            number = None
        if number:
            found.add(number)
    return found


def _decoded(text):
    """Return the text as it reads with its escapes decoded, in Unicode NFC.

    JSON \\u escapes left in a string and HTML character references are decoded again and again
    while that changes the text (at most MAX_DECODE_ROUNDS times), so text escaped twice reads
    as once. URL %-escapes are decoded in the first round only, because %25 is often a literal
    '%' and decoding bob%253Djane.doe twice would read bob=jane.doe.

    A surrogate pair from two \\u escapes becomes its character, and half a pair U+FFFD. NFC puts
    a letter and its combining accent in one character, as in the subjects, and invisible
    characters are deleted. The matcher reads only this form, because in the raw text an escape
    can end a token early: bob&amp;jane.doe@example.com would read as jane.doe@example.com.
    """
    for decode_round in range(MAX_DECODE_ROUNDS):
        decoded = text
        if '\\u' in decoded:
            decoded = _UNICODE_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), decoded)
            if _SURROGATE.search(decoded):
                decoded = decoded.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace')
        if '%' in decoded and decode_round == 0:
            decoded = unquote(decoded)
        if '&' in decoded:
            decoded = _HTML_REFERENCE_WITH_SEMICOLON.sub(_decode_reference, decoded)
        if decoded == text:
            break
        text = decoded
    return _as_displayed(text)


def _decode_reference(match):
    """Return the character an HTML reference stands for, or the reference itself when it is not one."""
    return html.unescape(match.group()) if match.group()[1] == '#' else html.entities.html5.get(
        match.group()[1:], match.group())


def _as_displayed(text):
    """Return text as it displays: in Unicode NFC, without its invisible characters, fullwidth forms as ASCII."""
    if text.isascii():
        return text
    if _DISPLAY_CHANGING.search(text):
        text = text.translate(_DISPLAY_TABLE)
    if unicodedata.is_normalized('NFC', text):
        return text
    return unicodedata.normalize('NFC', text)


def _raw_variants(text):
    """Return the texts that may_contain searches, or None when escapes nest too deep.

    They are the text and its forms with JSON escapes decoded once, twice and so on, and
    each of them as _decoded() reads it.
    """
    levels = [text]
    while '\\' in levels[-1]:
        if len(levels) > MAX_ESCAPE_LEVELS:
            return None
        decoded = _JSON_ESCAPE.sub(_decode_json_escape, levels[-1])
        if decoded == levels[-1]:
            break
        levels.append(decoded)
    variants = []
    for level in levels:
        variants.extend((level, _decoded(level)))
    return variants


def _decode_json_escape(match):
    escaped = match.group(1)
    if len(escaped) == 5:
        return chr(int(escaped[1:], 16))
    return _JSON_ESCAPED_CHARACTERS.get(escaped, escaped)


def _parse_embedded_json(text, depth):
    if depth >= MAX_EMBEDDED_JSON_DEPTH or text.lstrip()[:1] not in ('{', '['):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, (dict, list)) else None


# The step of a path into JSON parsed from a string.
_EMBEDDED = '<json>'


def _location(steps):
    """Return the path that a chain of steps of Matcher._walk leads to, as in ``$.recents[2].email``."""
    reversed_steps = []
    while steps is not None:
        steps, step = steps
        reversed_steps.append(step)
    path = '$'
    for step in reversed(reversed_steps):
        if step is _EMBEDDED:
            path += _EMBEDDED
        elif isinstance(step, int):
            path = '%s[%d]' % (path, step)
        else:
            path = _member_path(path, *step)
    return path


def _member_path(path, key, position):
    """Return the path of an object member.

    A key that is not a plain identifier, or that has more than 3 digits, may be an e-mail
    address or a phone number, so the path names the member by position: ``$.recents[#2]``.
    """
    if _PLAIN_KEY.fullmatch(key) and sum(map(str.isdigit, key)) <= 3:
        return '%s.%s' % (path, key)
    return '%s[#%d]' % (path, position)


def _email_candidates(text, max_length=None):
    """Yield the normalized address of every e-mail token in text, with its local part variants.

    Tokens are read around each '@', not left to right, because the run of address characters
    before an '@' can start inside the domain of the address before it, as in
    ``from=bob@example.org&to=jane.doe@example.com``. The variant after the last '=' is then
    the second address. With max_length, longer variants after a field separator are skipped.
    """
    domains = _AT_OR_DOMAIN.findall(text)
    # One entry per '@' in both lists, in opposite orders (see Matcher._email_token_may_match).
    locals_reversed = _AT_AND_LOCAL_PART_REVERSED.findall(text[::-1])
    for domain, local_reversed in zip(domains, reversed(locals_reversed)):
        if not domain or not local_reversed:
            continue
        for local in _local_part_variants(local_reversed[::-1], max_length):
            for domain_variant in _domain_variants(domain):
                yield normalize_email_parts(local, domain_variant)


def _domain_variants(domain):
    """Yield the domain, and its part before a Han, kana or Hangul letter that follows other letters."""
    yield domain
    match = _CJK.search(domain)
    if match and _DOMAIN.fullmatch(domain, 0, match.start()):
        yield domain[:match.start()]


def _local_part_variants(local, max_length=None):
    yield local
    cjk_end = None
    for match in _CJK.finditer(local):
        cjk_end = match.end()
    if cjk_end is not None and cjk_end < len(local):
        yield local[cjk_end:]
    unquoted = local.lstrip("'")
    if unquoted and unquoted != local:
        yield unquoted
    for position, char in enumerate(local):
        if char in _FIELD_SEPARATORS:
            start = position + 1
            while start < len(local) and local[start] == "'":
                start += 1
            # Without the bound, a long run of separators costs one copy of the rest per separator.
            if start < len(local) and (max_length is None or len(local) - start <= max_length):
                yield local[start:]


def _phone_candidates(text, min_digits, suffixes):
    """Yield the compact form ('+' and digits) of every phone number candidate in text.

    suffixes, when not None, contains the last 4 digits of the numbers searched for, and
    candidates with other endings are skipped before they are parsed.
    """
    for match in _PHONE_RUN.finditer(text):
        start, end = match.span()
        run = match.group()
        if _DECIMAL_FRACTION.match(run):
            continue
        glued_before = _is_glued_before(text, start)
        glued_after = _is_glued_after(text, end)
        if (glued_before or glued_after) and len(run) <= MAX_NUMBER_DIGITS:
            # Most glued runs are short parts of ids such as hex keys, and have no room to split.
            continue
        compact = compact_phone(run)
        digit_count = len(compact.lstrip('+'))

        if digit_count <= MAX_NUMBER_DIGITS:
            if glued_before or glued_after or digit_count < min_digits:
                continue
            if suffixes is None or compact[-SUFFIX_DIGITS:] in suffixes:
                yield compact
            continue
        yield from _split_run(run, min_digits, suffixes, glued_before, glued_after)


def _is_glued_before(text, start):
    """Return True when the run starting at text[start] continues a longer token."""
    before = text[start - 1] if start > 0 else ''
    if before in ('#', '_') or _glues(before):
        return True
    return before in _HYPHENS and start > 1 and _glues(text[start - 2])


def _is_glued_after(text, end):
    """Return True when the run ending before text[end] continues into a longer token."""
    after = text[end] if end < len(text) else ''
    if _glues(after) or after == '_':
        return _EXTENSION.match(text, end) is None
    return after in _HYPHENS and end + 1 < len(text) and _glues(text[end + 1])


def _glues(char):
    """Return True for a letter or digit that makes a number next to it part of a longer token."""
    return char.isalnum() and not _CJK.match(char)


def _split_run(run, min_digits, suffixes, glued_before, glued_after):
    """Yield every span of space-separated groups of a long run that could be one number.

    A span that starts at the first group is skipped when the run is glued to the text
    before it, and a span that ends at the last group when the run is glued to the text
    after it.
    """
    groups = [compact_phone(group) for group in run.split()]
    if suffixes is None and len(groups) > MAX_SPLIT_GROUPS:
        # NOTE: extract_phones can miss numbers in a longer space-separated list. The
        # matcher filters spans by suffix, so it splits runs of any length.
        return
    digits = [group.lstrip('+') for group in groups]
    first_allowed = 1 if glued_before else 0
    last_allowed = len(groups) - 2 if glued_after else len(groups) - 1

    for last in range(first_allowed, last_allowed + 1):
        if suffixes is not None and _digits_ending_at(digits, last) not in suffixes:
            continue
        count = 0
        for first in range(last, first_allowed - 1, -1):
            count += len(digits[first])
            if count > MAX_NUMBER_DIGITS:
                break
            if count >= min_digits:
                yield groups[first] + ''.join(digits[first + 1:last + 1])


def _digits_ending_at(digits, last):
    tail = ''
    index = last
    while index >= 0 and len(tail) < SUFFIX_DIGITS:
        tail = digits[index] + tail
        index -= 1
    return tail[-SUFFIX_DIGITS:]


@functools.lru_cache(maxsize=PHONE_CACHE_SIZE)
def _e164(compact, region):
    """Return the E.164 form of a candidate, valid or not, or None when it cannot be parsed."""
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=PHONE_CACHE_SIZE)
def _national_e164(compact, region, trunk_prefix_required=False):
    """Return the E.164 form of a candidate written without '+', or None when it is not a national form.

    A bare run of digits is read as a national number only when it is written the way the region
    writes its numbers, or when it starts with the region's trunk prefix. The way the region writes
    them is phonenumbers' national format: 020 7946 0958 in GB, with the trunk prefix 0, and
    (202) 555-0143 in the US, without the trunk prefix 1. So 2079460958 is not read as a GB number. A number that starts
    with its own country code (442079460958) is accepted when phonenumbers finds that code. With
    trunk_prefix_required, only a form that starts with the region's trunk prefix is read.
    """
    try:
        number = phonenumbers.parse(compact, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        prefix = metadata.national_prefix if metadata is not None else None
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        written_nationally = compact == ''.join(char for char in national if char.isdigit())
        with_trunk_prefix = bool(prefix) and compact.startswith(prefix)
        if not with_trunk_prefix and (trunk_prefix_required or not written_nationally):
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=PHONE_CACHE_SIZE)
def _valid_e164(compact, region):
    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
