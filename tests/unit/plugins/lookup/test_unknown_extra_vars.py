# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the lookup unknown_extra_vars: which extra-variable names count as misspelled known names."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible import context
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.utils import vars as ansible_vars

from ansible_collections.gdpr.gws.plugins.lookup.unknown_extra_vars import LookupModule, find_unknown_names

# A part of the playbook's extra-vars and of the role's variables.
KNOWN = ['search', 'subjects', 'request_file', 'cleanup', 'group_name', 'default_region', 'gws_username',
         'gws_user_password', 'cass_keyspace', 'cass_hostname', 'cass_port', 'forget_me_cleanup',
         'forget_me_groups', 'forget_me_max_deletions', 'forget_me_request_id', 'forget_me_gws_password',
         'forget_me_cassandra_hosts', 'forget_me_default_region']


@pytest.mark.parametrize('name, similar_to', [
    ('clenaup', 'cleanup'),
    ('clean_up', 'cleanup'),
    ('Cleanup', 'cleanup'),
    ('serach', 'search'),
    ('subject', 'subjects'),
    ('group_nmae', 'group_name'),
    ('cass_keyspcae', 'cass_keyspace'),
    ('forget_me_group', 'forget_me_groups'),
    ('forget_me_cassandra_host', 'forget_me_cassandra_hosts'),
    ('forget_me_max_deletion', 'forget_me_max_deletions'),
])
def test_misspelled_name_found(name, similar_to):
    assert find_unknown_names([name], KNOWN) == [{'name': name, 'similar_to': similar_to}]


@pytest.mark.parametrize('name, similar_to', [
    ('max_deletions', 'forget_me_max_deletions'),
    ('request_id', 'forget_me_request_id'),
    ('cassandra_hosts', 'forget_me_cassandra_hosts'),
])
def test_role_name_without_prefix_found(name, similar_to):
    assert find_unknown_names([name], KNOWN) == [{'name': name, 'similar_to': similar_to}]


@pytest.mark.parametrize('name', [
    'cleanup', 'search', 'forget_me_groups', 'default_region',
    # unrelated names
    'ticket', 'target', 'debug',
    # added to every job by AWX and Automation Controller, or by ansible-core
    'awx_user_name', 'awx_host_name', 'tower_user_name', 'ansible_user', '_raw_params',
    # another variable built on a known name
    'vault_gws_username', 'vault_forget_me_gws_password', 'gws_username_old',
    # not a variable name
    'clean-up', 'jane.doe@example.com', '+44 20 7946 0958', 'cl\u00e9anup',
])
def test_name_not_reported(name):
    assert find_unknown_names([name], KNOWN) == []


def test_names_sorted_once():
    found = find_unknown_names(['serach', 'clenaup', 'serach', 'cleanup'], KNOWN)

    assert [entry['name'] for entry in found] == ['clenaup', 'serach']


@pytest.fixture
def extra_vars(monkeypatch):
    """Set the command line's extra variables for one test, without ansible-core's cached copy."""
    def set_extra_vars(*options):
        monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(extra_vars=options))
        monkeypatch.setattr(ansible_vars.load_extra_vars, 'extra_vars', None, raising=False)
    return set_extra_vars


def test_lookup_reads_extra_var_names(extra_vars, tmp_path):
    request = tmp_path / 'request.yml'
    request.write_text('subjects: ["jane.doe@example.com"]\ngroup_nmae: recents\n')
    extra_vars('clenaup=jane.doe@example.com', '{"forget_me_max_deletion": 5}', '@%s' % request)

    found = LookupModule(loader=DataLoader()).run([KNOWN], variables={})

    assert found == [{'name': 'clenaup', 'similar_to': 'cleanup'},
                     {'name': 'forget_me_max_deletion', 'similar_to': 'forget_me_max_deletions'},
                     {'name': 'group_nmae', 'similar_to': 'group_name'}]


def test_lookup_without_extra_vars(extra_vars):
    extra_vars()

    assert LookupModule(loader=DataLoader()).run([KNOWN], variables={}) == []
