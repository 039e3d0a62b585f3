# -*- coding: utf-8 -*-
# Internal module of the gdpr.gws collection, not a public API.
# SPDX-License-Identifier: GPL-3.0-or-later

"""Mask personal data for module results, diffs and evidence reports.

Masked values keep enough shape to tell values apart (first character, country calling
code, last digits, length) and never contain the whole original value.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import traceback

from ansible.module_utils.common.parameters import remove_values

try:
    import phonenumbers
except ImportError:
    HAS_PHONENUMBERS = False
    PHONENUMBERS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PHONENUMBERS = True
    PHONENUMBERS_IMPORT_ERROR = None


# JSON inside a string value is masked as JSON down to this many levels, then as plain text.
MAX_EMBEDDED_JSON_DEPTH = 8

# Integers with at least this many digits may be phone numbers stored as JSON numbers.
MIN_MASKED_INTEGER_DIGITS = 5

_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE_SHAPE = re.compile(r"(?:tel:)?[+\uff0b]?[\d\s().\-/\u2010-\u2015]+", re.IGNORECASE)
_E164 = re.compile(r"\+\d{6,15}")
_MIN_PHONE_DIGITS = 6


def warn_masked(module, text):
    """Show a warning with the module's no_log values masked, as they are in its result.

    ansible-core 2.19 and later show module warnings without masking them, so a subject or a secret in
    a path or an error message would otherwise show in clear.
    """
    module.warn(remove_values(text, module.no_log_values))


def mask_text(value):
    """Mask any text as its first character, three asterisks and its length.

    Text shorter than 4 characters keeps none of its characters, so at most a quarter of
    the text is shown. None and the empty string become the empty string.
    """
    if value is None:
        return ''
    text = value if isinstance(value, str) else str(value)
    if not text:
        return ''

    visible_prefix = text[0] if len(text) >= 4 else ''
    unit = 'char' if len(text) == 1 else 'chars'
    return '%s*** (%d %s)' % (visible_prefix, len(text), unit)


def mask_email(address):
    """Mask an e-mail address in the form ``j***@e***.com``.

    The first character of the local part, the first character of the domain and the
    top-level domain stay visible. Text without a local part and a domain is masked with
    mask_text.
    """
    if address is None:
        return ''
    local, separator, domain = str(address).rpartition('@')
    if not separator or not local or not domain:
        return mask_text(address)

    labels = domain.split('.')
    top_level = '.' + labels[-1] if len(labels) > 1 and labels[-1] else ''
    return '%s***@%s***%s' % (local[0], labels[0][:1], top_level)


def mask_phone(number):
    """Mask a phone number in the form ``+44*******958``.

    An E.164 number keeps its country calling code and its last 3 digits (2 when the
    national number has fewer than 9 digits). Other phone-like text keeps its punctuation
    and last 2 digits, and every other digit becomes ``*``. Text with fewer than 6 digits
    is masked with mask_text.
    """
    if number is None:
        return ''
    text = str(number).strip()
    if _E164.fullmatch(text):
        return _mask_e164(text)

    digit_count = sum(1 for char in text if char.isdigit())
    if digit_count < _MIN_PHONE_DIGITS:
        return mask_text(number)

    masked = []
    digits_seen = 0
    for char in text:
        if char.isdigit():
            digits_seen += 1
            masked.append(char if digits_seen > digit_count - 2 else '*')
        else:
            masked.append(char)
    return ''.join(masked)


def _mask_e164(number):
    digits = number[1:]
    country_code = _country_code_of(number)
    national = digits[len(country_code):]
    visible = 3 if len(national) >= 9 else 2
    return '+%s%s%s' % (country_code, '*' * (len(national) - visible), national[-visible:])


def _country_code_of(number):
    """Return the country calling code of an E.164 number, or '' when phonenumbers is missing or fails."""
    if not HAS_PHONENUMBERS:
        return ''
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ''
    return str(parsed.country_code)


def looks_like_email(text):
    """Return True when the whole text has the shape of one e-mail address."""
    return len(text) <= 320 and _EMAIL_SHAPE.fullmatch(text) is not None


def looks_like_phone(text):
    """Return True when the whole text has the shape of one phone number (6 or more digits)."""
    if len(text) > 64 or _PHONE_SHAPE.fullmatch(text) is None:
        return False
    return sum(1 for char in text if char.isdigit()) >= _MIN_PHONE_DIGITS


def mask_value(text):
    """Mask one string with the masking that fits its shape: e-mail, phone or plain text."""
    stripped = text.strip()
    if looks_like_email(stripped):
        return mask_email(stripped)
    if looks_like_phone(stripped):
        return mask_phone(stripped)
    return mask_text(text)


def mask_json(text):
    """Mask a setting value, keeping its JSON structure.

    Every string value is masked, and so is every object key that is an e-mail address or
    a phone number. A string value that is itself a JSON object or array is masked the
    same way and serialized again. Integers of 5 or more digits are masked as text because
    they may be phone numbers. Other numbers, booleans and null are kept. Text that is not
    JSON, or nested too deeply for the json module, is masked whole with mask_text.
    Returns JSON text.
    """
    if text is None:
        return ''
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode('utf-8', 'replace')

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return mask_text(text)
    if isinstance(data, str):
        return json.dumps(mask_value(data), ensure_ascii=False)
    try:
        return json.dumps(_mask_node(data, 0), ensure_ascii=False)
    except RecursionError:
        # The json encoder recurses and fails on values nested more deeply than the
        # decoder accepts.
        return mask_text(text)


def _mask_node(node, embedded_depth):
    # Containers are copied iteratively so that deeply nested values cannot exhaust the stack.
    root = [None]
    stack = [(node, root, 0)]
    while stack:
        value, parent, slot = stack.pop()
        if isinstance(value, dict):
            copy = {}
            parent[slot] = copy
            for key, item in value.items():
                masked_key = _unique_key(copy, _mask_key(key))
                copy[masked_key] = None
                stack.append((item, copy, masked_key))
        elif isinstance(value, list):
            copy = [None] * len(value)
            parent[slot] = copy
            for index, item in enumerate(value):
                stack.append((item, copy, index))
        else:
            parent[slot] = _mask_leaf(value, embedded_depth)
    return root[0]


def _mask_leaf(value, embedded_depth):
    if isinstance(value, str):
        embedded = _parse_embedded_json(value, embedded_depth)
        if embedded is not None:
            try:
                return json.dumps(_mask_node(embedded, embedded_depth + 1), ensure_ascii=False)
            except RecursionError:
                return mask_text(value)
        return mask_value(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= MIN_MASKED_INTEGER_DIGITS:
        return mask_phone(str(value))
    return value


def _parse_embedded_json(text, embedded_depth):
    if embedded_depth >= MAX_EMBEDDED_JSON_DEPTH or text.lstrip()[:1] not in ('{', '['):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, (dict, list)) else None


def _mask_key(key):
    stripped = key.strip()
    if looks_like_email(stripped):
        return mask_email(stripped)
    if looks_like_phone(stripped):
        return mask_phone(stripped)
    return key


def _unique_key(mapping, key):
    # Two different phone numbers can mask to the same text. Number the later ones so that
    # no member of the object is lost.
    if key not in mapping:
        return key
    number = 2
    while '%s #%d' % (key, number) in mapping:
        number += 1
    return '%s #%d' % (key, number)
