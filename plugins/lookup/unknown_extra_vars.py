# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lookup unknown_extra_vars: find extra variables whose names look like a misspelled known variable."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: unknown_extra_vars
short_description: Find extra variables whose names resemble a known variable name but differ from it
version_added: 0.2.0
description:
  - Compares the names of the run's extra variables (C(-e) and C(--extra-vars), files given with C(@) included)
    with the known variable names given as terms, and returns each extra variable whose name is not known but
    resembles a known name, such as C(clenaup) for C(cleanup), and each C(-e) value that ansible-core could not
    read as C(name=value).
  - Only names are read and returned, never the values of the variables.
  - "Each entry says in C(stops) what the role does with it: C(always) stops every run, C(erase) stops a run that
    erases (dry run included) and C(never) only warns."
  - C(always) is for C(_raw_params), the words of a C(name=value) extra variable that ansible-core left without a
    name, as in C(-e "subjects=jane.doe@example.com, +44 20 7946 0958"), where the space ends the value and the
    phone number is dropped.
  - C(erase) is for a name that equals a known name but for case, C(-) and C(_) (C(GROUP_NAME), C(clean-up)), or
    but for spaces around it and fullwidth forms (as NFKC reads it), and for a name that starts with
    C(forget_me_), the prefix of the role's variables, but is not one of them.
  - A name whose C(difflib.SequenceMatcher) similarity ratio to a known name is at least 0.8, ignoring case, is
    C(erase) with O(strict) and C(never) without. A known name that starts with C(forget_me_) is also compared
    without that prefix, so that C(max_deletions) is found as a misspelling of C(forget_me_max_deletions).
  - A name that is a known name with words added or left out, such as C(username) for C(gws_username), is
    C(never), when the similarity ratio is at least 0.6.
  - "These names are never returned: known names, names that do not start with a letter or contain other
    characters than letters, digits, C(_) and C(-), and names that start with C(ansible_), C(awx_) or C(tower_)
    (AWX and Automation Controller add C(awx_*) and C(tower_*) extra variables to every job)."
  - The role C(gdpr.gws.forget_me) uses it to warn about misspelled variables and to stop runs as C(stops) says.
options:
  _terms:
    description: The known variable names. Lists are flattened.
    type: list
    elements: str
    required: true
  strict:
    description:
      - The known names are all the variables that the play reads, so a name that resembles one of them is a
        mistake that stops a run that erases.
      - Leave it false when the role runs in a play that may read extra variables of its own.
    type: bool
    default: false
  warn:
    description: Also show an Ansible warning for each entry, with the names only.
    type: bool
    default: false
notes:
  - Extra variables are read as ansible-core loaded them for the run. A play run through the Python API without
    command-line extra variables returns an empty list.
author:
  - gdpr.gws contributors (@gdpr-gws)
'''

EXAMPLES = r'''
- name: Warn about extra variables that look like misspelled variables of this play
  ansible.builtin.set_fact:
    unknown_variables: "{{ query('gdpr.gws.unknown_extra_vars', ['cleanup', 'subjects', 'forget_me_max_deletions'], warn=true) }}"
'''

RETURN = r'''
_raw:
  description: One entry per unknown name, sorted by name.
  type: list
  elements: dict
  contains:
    name:
      description: The name of the extra variable, which no task reads, or C(_raw_params).
      type: str
    similar_to:
      description: The known variable name that it resembles most, or null for C(_raw_params).
      type: str
    stops:
      description: C(always), C(erase) or C(never), as described above.
      type: str
'''

import difflib
import re
import unicodedata

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
# NOTE: load_extra_vars is an ansible-core function outside the plugin API. It returns the extra variables
# that ansible-core has already loaded for the run (it caches them), so no file is read a second time.
from ansible.utils.vars import load_extra_vars

SIMILARITY_CUTOFF = 0.8
# For a name that is a known name with words added or left out.
PART_SIMILARITY_CUTOFF = 0.6
ROLE_PREFIX = 'forget_me_'
IGNORED_PREFIXES = ('ansible_', 'awx_', 'tower_')
# ansible-core's key for the words of a key=value extra variable that are not name=value.
RAW_PARAMS = '_raw_params'
_CHECKED_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_-]*\Z')

display = Display()


def _folded(name):
    return name.lower().replace('-', '').replace('_', '')


def _words(name):
    return tuple(name.lower().replace('-', '_').split('_'))


def _is_part(shorter, longer):
    """Tell whether the words of shorter are a run of the words of longer."""
    size = len(shorter)
    return size < len(longer) and any(longer[start:start + size] == shorter for start in range(len(longer) - size + 1))


def _words_alike(words, other_words):
    """Tell whether two names of as many words differ only in words that resemble each other.

    snow_username is another variable than gws_username, while gws_usrname is a misspelling of it.
    """
    if len(words) != len(other_words):
        return True
    return all(word == other or _ratio(word, other) >= PART_SIMILARITY_CUTOFF for word, other in zip(words, other_words))


def _ratio(first, second):
    return difflib.SequenceMatcher(None, first.lower(), second.lower()).ratio()


def _entry(name, similar_to, stops):
    return {'name': name, 'similar_to': similar_to, 'stops': stops}


def _check(name, known, candidates, strict):
    """Return the entry for one extra-variable name, or None when it is known or unrelated."""
    if name == RAW_PARAMS:
        return _entry(name, None, 'always')
    if name in known or not _CHECKED_NAME.match(name) or name.lower().startswith(IGNORED_PREFIXES):
        return None
    for known_name in sorted(known):
        if _folded(known_name) == _folded(name):
            return _entry(name, known_name, 'erase')
    if name.lower().replace('-', '_').startswith(ROLE_PREFIX):
        # The role's own prefix: a name that is not one of its variables is a mistake. The suggestion is a
        # variable that contains the name's words, as forget_me_request_type for forget_me_type, or else the
        # most similar one.
        words = _words(name)
        role_names = sorted(known_name for known_name in known if known_name.startswith(ROLE_PREFIX))
        return _entry(name, max(role_names, default=None, key=lambda known_name: (
            _is_part(words[2:], _words(known_name)[2:]), _ratio(name, known_name))), 'erase')

    words = _words(name)
    misspelled = []
    parts = []
    for candidate, known_name in sorted(candidates.items()):
        ratio = _ratio(name, candidate)
        candidate_words = _words(candidate)
        if _is_part(words, candidate_words) or _is_part(candidate_words, words):
            if ratio >= PART_SIMILARITY_CUTOFF:
                parts.append((ratio, known_name))
        elif ratio >= SIMILARITY_CUTOFF and _words_alike(words, candidate_words):
            misspelled.append((ratio, known_name))
    if misspelled:
        return _entry(name, max(misspelled)[1], 'erase' if strict else 'never')
    if parts:
        return _entry(name, max(parts)[1], 'never')
    return None


def _check_typed(name, known, candidates, strict):
    """Return the entry for one name as typed: with spaces around it or in fullwidth forms, it reads as NFKC makes it."""
    reads_as = unicodedata.normalize('NFKC', name).strip()
    if reads_as == name:
        return _check(name, known, candidates, strict)
    # No task reads 'group_name ' or a name in fullwidth letters, however much it looks like a known one.
    if reads_as in known:
        return _entry(name, reads_as, 'erase')
    entry = _check(reads_as, known, candidates, strict)
    if entry:
        entry['name'] = name
    return entry


def find_unknown_names(names, known, strict=False):
    """Return an entry (name, similar_to, stops) for each name that is not known but resembles a known name."""
    known = set(known)
    # Maps each name to compare with onto the known name to suggest.
    candidates = dict((name, name) for name in known)
    for name in sorted(known):
        if name.startswith(ROLE_PREFIX):
            candidates.setdefault(name[len(ROLE_PREFIX):], name)

    unknown = []
    for name in sorted(set(name for name in names if isinstance(name, str))):
        entry = _check_typed(name, known, candidates, strict)
        if entry:
            unknown.append(entry)
    return unknown


def warning_of(entry):
    """Return the warning text of one entry, with variable names only."""
    if entry['name'] == RAW_PARAMS:
        return ('An -e value in name=value form has a space in it, so Ansible ended the value there and ignored the '
                'rest. Give such values as JSON or YAML, for example -e \'{"subjects": ["...", "..."]}\'.')
    return "'%s' is not a variable of gdpr.gws.forget_me, so it is ignored. Did you mean '%s'?" % (
        entry['name'], entry['similar_to'])


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        known = [str(term) for term in self._flatten(terms)]
        extra_vars = load_extra_vars(self._loader)
        # Read from the keywords, as set_options has checked them, so that the plugin also runs when it is
        # made without the plugin loader, as in the unit tests.
        unknown = find_unknown_names([str(name) for name in extra_vars], known,
                                     strict=boolean(kwargs.get('strict', False)))
        if boolean(kwargs.get('warn', False)):
            for entry in unknown:
                display.warning(warning_of(entry))
        return unknown
