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
    resembles a known name, such as C(clenaup) for C(cleanup).
  - Only names are read and returned, never the values of the variables.
  - Two names resemble each other when the similarity ratio of Python's C(difflib.SequenceMatcher) is at least
    0.8. A known name that starts with C(forget_me_) is also compared without that prefix, so that
    C(max_deletions) is found as a misspelling of C(forget_me_max_deletions).
  - "These names are never returned: names that are not Python identifiers, names that start with C(_),
    C(ansible_), C(awx_) or C(tower_) (AWX and Automation Controller add C(awx_*) and C(tower_*) extra
    variables to every job), and names that are a known name with a word added before or after it, such as
    C(vault_gws_username)."
  - The role C(gdpr.gws.forget_me) uses it to warn about misspelled variables, and to stop a run that would
    erase.
options:
  _terms:
    description: The known variable names. Lists are flattened.
    type: list
    elements: str
    required: true
notes:
  - Extra variables are read as ansible-core loaded them for the run. A play run through the Python API without
    command-line extra variables returns an empty list.
author:
  - gdpr.gws contributors (@gdpr-gws)
'''

EXAMPLES = r'''
- name: Warn about extra variables that look like misspelled variables of this play
  ansible.builtin.debug:
    msg: "Unknown variable {{ item.name }}; did you mean {{ item.similar_to }}?"
  loop: "{{ query('gdpr.gws.unknown_extra_vars', ['cleanup', 'subjects', 'forget_me_max_deletions']) }}"
'''

RETURN = r'''
_raw:
  description: One entry per unknown name, sorted by name.
  type: list
  elements: dict
  contains:
    name:
      description: The name of the extra variable, which no task reads.
      type: str
    similar_to:
      description: The known variable name that it resembles most.
      type: str
'''

import difflib

from ansible.plugins.lookup import LookupBase
# NOTE: load_extra_vars is an ansible-core function outside the plugin API. It returns the extra variables
# that ansible-core has already loaded for the run (it caches them), so no file is read a second time.
from ansible.utils.vars import load_extra_vars

SIMILARITY_CUTOFF = 0.8
ROLE_PREFIX = 'forget_me_'
IGNORED_PREFIXES = ('_', 'ansible_', 'awx_', 'tower_')


def _is_checked(name, candidates):
    """Tell whether name is a plain variable name that may be a misspelling of one of the candidates."""
    if not isinstance(name, str) or not name.isascii() or not name.isidentifier():
        return False
    if name.startswith(IGNORED_PREFIXES):
        return False
    # vault_gws_username or gws_username_old is another variable built on a known name, not a misspelling.
    return not any(name.startswith(candidate + '_') or name.endswith('_' + candidate) for candidate in candidates)


def find_unknown_names(names, known):
    """Return a {'name', 'similar_to'} entry for each name that is not known but resembles a known name."""
    known = set(known)
    # Maps each name to compare with onto the known name to suggest.
    candidates = dict((name, name) for name in known)
    for name in sorted(known):
        if name.startswith(ROLE_PREFIX):
            candidates.setdefault(name[len(ROLE_PREFIX):], name)

    unknown = []
    for name in sorted(set(names), key=str):
        if name in known or not _is_checked(name, candidates):
            continue
        close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=SIMILARITY_CUTOFF)
        if close:
            unknown.append({'name': name, 'similar_to': candidates[close[0]]})
    return unknown


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        known = [str(term) for term in self._flatten(terms)]
        extra_vars = load_extra_vars(self._loader)
        return find_unknown_names([str(name) for name in extra_vars], known)
