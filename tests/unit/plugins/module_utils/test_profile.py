# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of settings profile validation and request rendering."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.gdpr.gws.plugins.module_utils._profile import (
    DEFAULT_PROFILE, ProfileError, load_profile, render_body, render_path)


def broken(change):
    profile = copy.deepcopy(DEFAULT_PROFILE)
    change(profile)
    return profile


def test_default_profile_loads():
    profile = load_profile(None)
    assert profile['tables'][0]['name'] == 'settings'
    assert profile['requests']['user']['delete']['method'] == 'DELETE'


@pytest.mark.parametrize('change, field', [
    (lambda p: p.update(tables=[]), 'profile.tables'),
    (lambda p: p['tables'][0].update(name='bad name'), 'profile.tables[0].name'),
    (lambda p: p['tables'][0].pop('value_column'), 'profile.tables[0].value_column'),
    (lambda p: p['tables'][0].update(scope='user'), 'exactly one of scope_column and scope'),
    (lambda p: p['tables'][0].update(key_column='owner_id'), 'same column'),
    (lambda p: p['tables'][0].update(colour='red'), 'unknown fields: colour'),
    (lambda p: p['requests'].pop('contact-center'), 'profile.requests.contact-center'),
    (lambda p: p['requests']['user']['delete'].update(method='GET'), 'delete.method'),
    (lambda p: p['requests']['user']['delete'].update(url='api/v2'), 'delete.url'),
    (lambda p: p['requests']['user']['delete'].update(url='/api/{password}'), '{password}'),
    (lambda p: p['requests']['user']['delete'].update(body={}), 'delete.body'),
    (lambda p: p['requests']['user']['delete'].update(body={'name': 'x'}), 'must contain {key}'),
    (lambda p: p.update(default_key_attribute=''), 'default_key_attribute'),
])
def test_invalid_profile_names_field(change, field):
    with pytest.raises(ProfileError) as error:
        load_profile(broken(change))
    assert field in str(error.value)


def test_table_with_fixed_scope_loads():
    profile = broken(lambda p: p['tables'][0].pop('scope_column') and None)
    profile['tables'][0]['scope'] = 'user'
    assert load_profile(profile)['tables'][0]['scope'] == 'user'


def test_render_path_encodes_ids():
    path = render_path('/api/v2/users/{owner_id}/settings/{group}', '../admin', 'a b')
    assert path == '/api/v2/users/..%2Fadmin/settings/a%20b'


def test_render_body_fills_once():
    body = render_body({'{key_attribute}': '{key}'}, 'name', 'literal {owner_id}', 'owner', 'group')
    assert body == {'name': 'literal {owner_id}'}
