# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that meta/argument_specs.yml of the role documents every variable the role reads, as its defaults set them.

`ansible-doc -t role gdpr.gws.forget_me` shows argument_specs.yml, and Ansible validates the role's
variables against it, so a variable missing there is undocumented and unchecked.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLE = os.path.join(ROOT, 'roles', 'forget_me')


def load_yaml(*parts):
    with open(os.path.join(*parts)) as handle:
        return yaml.safe_load(handle)


DEFAULTS = load_yaml(ROLE, 'defaults', 'main.yml')
OPTIONS = load_yaml(ROLE, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']


def role_files():
    for directory in ('tasks', 'templates', 'defaults', 'vars', 'handlers'):
        folder = os.path.join(ROLE, directory)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                yield os.path.join(folder, name)


def variables_read_by_role():
    """Return the public role variables (forget_me_*) named in the role's files; __forget_me_* are internal."""
    found = set()
    for path in role_files():
        with open(path) as handle:
            found.update(re.findall(r'(?<![\w./-])forget_me_[a-z0-9_]+', handle.read()))
    return found


def test_every_variable_read_is_documented():
    assert sorted(variables_read_by_role() - set(OPTIONS)) == []


def test_every_default_is_documented():
    assert sorted(set(DEFAULTS) - set(OPTIONS)) == []


@pytest.mark.parametrize('name', sorted(OPTIONS))
def test_option_fully_described(name):
    option = OPTIONS[name]

    assert option.get('description'), name
    assert option.get('type'), name
    if option['type'] == 'list':
        assert option.get('elements'), name
    # An optional variable either has a default in both files, or none in either (it is then unset).
    assert ('default' in option) == (name in DEFAULTS), name


@pytest.mark.parametrize('name', sorted(DEFAULTS))
def test_documented_default_matches(name):
    value = DEFAULTS[name]
    if isinstance(value, str) and '{{' in value:
        pytest.skip('the default is a template; argument_specs.yml shows what it renders to')

    assert OPTIONS[name]['default'] == value
