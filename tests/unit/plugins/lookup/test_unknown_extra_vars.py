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
         'forget_me_cassandra_hosts', 'forget_me_default_region', 'forget_me_request_type']


@pytest.mark.parametrize('name, similar_to', [
    ('clenaup', 'cleanup'),
    ('serach', 'search'),
    ('subject', 'subjects'),
    ('group_nmae', 'group_name'),
    ('cass_keyspcae', 'cass_keyspace'),
    ('gws_usrname', 'gws_username'),
    ('max_deletions', 'forget_me_max_deletions'),
    # A guess of a short name: group for group_name or forget_me_groups.
    ('group', 'forget_me_groups'),
    ('request_id', 'forget_me_request_id'),
    ('cassandra_hosts', 'forget_me_cassandra_hosts'),
    ('group_nmae ', 'group_name'),
])
def test_misspelled_name_stops_erase_when_strict(name, similar_to):
    assert find_unknown_names([name], KNOWN, strict=True) == [{'name': name, 'similar_to': similar_to, 'stops': 'erase'}]
    assert find_unknown_names([name], KNOWN) == [{'name': name, 'similar_to': similar_to, 'stops': 'never'}]


@pytest.mark.parametrize('name, similar_to', [
    # The same name but for case, '-' and '_'.
    ('Cleanup', 'cleanup'),
    ('CLEANUP', 'cleanup'),
    ('GROUP_NAME', 'group_name'),
    ('clean_up', 'cleanup'),
    ('clean-up', 'cleanup'),
    ('Forget_Me_Groups', 'forget_me_groups'),
    # The role's prefix on a name that is not a role variable.
    ('forget_me_group_name', 'forget_me_groups'),
    ('forget_me_cass_keyspace', 'forget_me_cassandra_hosts'),
    ('forget_me_type', 'forget_me_request_type'),
    ('forget_me_group', 'forget_me_groups'),
    ('forget_me_cassandra_host', 'forget_me_cassandra_hosts'),
    ('forget_me_cleanup_now', 'forget_me_cleanup'),
    # Spaces around a name, and a name typed in fullwidth letters.
    ('group_name ', 'group_name'),
    (' cleanup', 'cleanup'),
    ('\uff43\uff4c\uff45\uff41\uff4e\uff55\uff50', 'cleanup'),
])
def test_certain_mistake_stops_erase(name, similar_to):
    for strict in (False, True):
        assert find_unknown_names([name], KNOWN, strict=strict) == [
            {'name': name, 'similar_to': similar_to, 'stops': 'erase'}]


def test_nameless_value_stops_every_run():
    assert find_unknown_names(['_raw_params'], KNOWN) == [{'name': '_raw_params', 'similar_to': None, 'stops': 'always'}]


@pytest.mark.parametrize('name, similar_to', [
    # A known name with words left out or added: another variable, or a guess that the run only warns about.
    ('username', 'gws_username'),
    ('vault_gws_username', 'gws_username'),
    ('password', 'forget_me_gws_password'),
])
def test_name_with_words_added_or_left_out_warns(name, similar_to):
    assert find_unknown_names([name], KNOWN, strict=True) == [{'name': name, 'similar_to': similar_to, 'stops': 'never'}]


@pytest.mark.parametrize('name', [
    'cleanup', 'search', 'forget_me_groups', 'default_region',
    # unrelated names
    'ticket', 'target', 'debug', 'ticket_search_id',
    # another variable that shares a word with a known name
    'snow_username',
    # added to every job by AWX and Automation Controller, or by ansible-core
    'awx_user_name', 'awx_host_name', 'tower_user_name', 'ansible_user',
    # not a variable name
    '_private', 'jane.doe@example.com', '+44 20 7946 0958', 'cl\u00e9anup', '1cleanup',
])
def test_name_not_reported(name):
    assert find_unknown_names([name], KNOWN, strict=True) == []


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

    assert found == [{'name': 'clenaup', 'similar_to': 'cleanup', 'stops': 'never'},
                     {'name': 'forget_me_max_deletion', 'similar_to': 'forget_me_max_deletions', 'stops': 'erase'},
                     {'name': 'group_nmae', 'similar_to': 'group_name', 'stops': 'never'}]


def test_lookup_strict_and_unread_words(extra_vars):
    # As ansible-core reads -e "subjects=jane.doe@example.com, +44 20 7946 0958": the number is left without a name.
    extra_vars('subjects=jane.doe@example.com, +44 20 7946 0958', 'clenaup=true')

    found = LookupModule(loader=DataLoader()).run([KNOWN], variables={}, strict=True)

    assert found == [{'name': '_raw_params', 'similar_to': None, 'stops': 'always'},
                     {'name': 'clenaup', 'similar_to': 'cleanup', 'stops': 'erase'}]


def test_lookup_without_extra_vars(extra_vars):
    extra_vars()

    assert LookupModule(loader=DataLoader()).run([KNOWN], variables={}) == []
