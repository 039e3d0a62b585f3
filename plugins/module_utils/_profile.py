# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings profile: where GWS keeps settings in Cassandra and how GWS deletes one.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import re

from urllib.parse import quote

# Scopes of a setting. Contact-center settings are owned by the administrator (corporate favorites),
# so they are reported but not deleted unless the operator includes them.
SCOPE_USER = 'user'
SCOPE_CONTACT_CENTER = 'contact-center'
SCOPES = (SCOPE_USER, SCOPE_CONTACT_CENTER)

# NOTE: GWS 8.5 does not publish its Cassandra layout or the exact form of "delete a setting".
# This default is the layout the lab implements. The request URLs follow the documented settings
# URLs, but the JSON body that carries the group's key attribute is an assumption.
DEFAULT_PROFILE = {
    'tables': [
        {
            'name': 'settings',
            'scope_column': 'scope',
            'owner_column': 'owner_id',
            'group_column': 'group_name',
            'key_column': 'setting_key',
            'value_column': 'value',
        },
    ],
    'default_key_attribute': 'name',
    'requests': {
        SCOPE_USER: {
            'groups': '/api/v2/users/{owner_id}/settings',
            'read': '/api/v2/users/{owner_id}/settings/{group}',
            'delete': {
                'method': 'DELETE',
                'url': '/api/v2/users/{owner_id}/settings/{group}',
                'body': {'{key_attribute}': '{key}'},
            },
        },
        SCOPE_CONTACT_CENTER: {
            'groups': '/api/v2/settings',
            'read': '/api/v2/settings/{group}',
            'delete': {
                'method': 'DELETE',
                'url': '/api/v2/settings/{group}',
                'body': {'{key_attribute}': '{key}'},
            },
        },
    },
}

_IDENTIFIER = re.compile(r'^[A-Za-z][A-Za-z0-9_]{0,47}$')
_TABLE_COLUMNS = ('owner_column', 'group_column', 'key_column', 'value_column')
_PLACEHOLDERS = re.compile(r'\{([a-z_]+)\}')
_URL_PLACEHOLDERS = {'owner_id', 'group'}
_BODY_PLACEHOLDERS = {'key_attribute', 'key', 'owner_id', 'group'}
_METHODS = ('DELETE', 'POST', 'PUT')


class ProfileError(ValueError):
    """Invalid settings profile; the message names the field at fault."""


def _check_identifier(value, field):
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ProfileError(
            "%s must be a Cassandra identifier (a letter, then letters, digits or '_', at most 48)" % field)
    return value


def _check_template(template, allowed, field):
    if not isinstance(template, str) or not template.startswith('/'):
        raise ProfileError('%s must be a URL path that starts with /' % field)
    for name in _PLACEHOLDERS.findall(template):
        if name not in allowed:
            raise ProfileError('%s uses unknown placeholder {%s}; allowed: %s'
                               % (field, name, ', '.join('{%s}' % n for n in sorted(allowed))))
    return template


def _check_body(body, field):
    if not isinstance(body, dict) or not body:
        raise ProfileError('%s must be a non-empty mapping, so that a delete always names one setting' % field)
    rendered_keys = ' '.join(str(k) for k in body) + ' ' + ' '.join(str(v) for v in body.values())
    if '{key}' not in rendered_keys:
        raise ProfileError('%s must contain {key}, so that a delete always names one setting' % field)
    for item in list(body) + list(body.values()):
        if not isinstance(item, str):
            raise ProfileError('%s keys and values must be strings' % field)
        for name in _PLACEHOLDERS.findall(item):
            if name not in _BODY_PLACEHOLDERS:
                raise ProfileError('%s uses unknown placeholder {%s}' % (field, name))
    return body


def _load_table(table, index):
    field = 'profile.tables[%d]' % index
    if not isinstance(table, dict):
        raise ProfileError('%s must be a mapping' % field)
    unknown = set(table) - {'name', 'scope', 'scope_column'} - set(_TABLE_COLUMNS)
    if unknown:
        raise ProfileError('%s has unknown fields: %s' % (field, ', '.join(sorted(unknown))))
    loaded = {'name': _check_identifier(table.get('name'), field + '.name')}
    for column in _TABLE_COLUMNS:
        loaded[column] = _check_identifier(table.get(column), '%s.%s' % (field, column))

    # A table either stores the scope in a column or contains settings of one scope only.
    if ('scope_column' in table) == ('scope' in table):
        raise ProfileError('%s needs exactly one of scope_column and scope' % field)
    if 'scope' in table:
        if table['scope'] not in SCOPES:
            raise ProfileError('%s.scope must be one of: %s' % (field, ', '.join(SCOPES)))
        loaded['scope'] = table['scope']
    else:
        loaded['scope_column'] = _check_identifier(table['scope_column'], field + '.scope_column')

    columns = [loaded[c] for c in _TABLE_COLUMNS] + [loaded.get('scope_column')]
    columns = [c for c in columns if c]
    if len(set(c.lower() for c in columns)) != len(columns):
        raise ProfileError('%s maps two roles to the same column' % field)
    return loaded


def _load_requests(requests):
    if not isinstance(requests, dict):
        raise ProfileError('profile.requests must be a mapping of scope to requests')
    loaded = {}
    for scope in SCOPES:
        field = 'profile.requests.%s' % scope
        entry = requests.get(scope)
        if not isinstance(entry, dict):
            raise ProfileError('%s is missing or not a mapping' % field)
        delete = entry.get('delete')
        if not isinstance(delete, dict):
            raise ProfileError('%s.delete is missing or not a mapping' % field)
        method = str(delete.get('method', 'DELETE')).upper()
        if method not in _METHODS:
            raise ProfileError('%s.delete.method must be one of: %s' % (field, ', '.join(_METHODS)))
        loaded[scope] = {
            'groups': _check_template(entry.get('groups'), _URL_PLACEHOLDERS, field + '.groups'),
            'read': _check_template(entry.get('read'), _URL_PLACEHOLDERS, field + '.read'),
            'delete': {
                'method': method,
                'url': _check_template(delete.get('url'), _URL_PLACEHOLDERS, field + '.delete.url'),
                'body': _check_body(delete.get('body'), field + '.delete.body'),
            },
        }
    return loaded


def load_profile(data=None):
    """Validate a settings profile and return a normalised copy; None means the default profile."""
    if data is None:
        data = DEFAULT_PROFILE
    if not isinstance(data, dict):
        raise ProfileError('profile must be a mapping')
    unknown = set(data) - {'tables', 'default_key_attribute', 'requests'}
    if unknown:
        raise ProfileError('profile has unknown fields: %s' % ', '.join(sorted(unknown)))

    tables = data.get('tables')
    if not isinstance(tables, list) or not tables:
        raise ProfileError('profile.tables must be a non-empty list')
    loaded_tables = [_load_table(table, index) for index, table in enumerate(tables)]
    names = [t['name'].lower() for t in loaded_tables]
    if len(set(names)) != len(names):
        raise ProfileError('profile.tables lists a table twice')

    key_attribute = data.get('default_key_attribute', 'name')
    if not isinstance(key_attribute, str) or not key_attribute.strip():
        raise ProfileError('profile.default_key_attribute must be a non-empty string')

    return {
        'tables': loaded_tables,
        'default_key_attribute': key_attribute,
        'requests': _load_requests(copy.deepcopy(data.get('requests'))),
    }


def render_path(template, owner_id, group):
    """Fill a URL template; ids are percent-encoded so a value cannot add path segments."""
    values = {'owner_id': quote(owner_id, safe=''), 'group': quote(group, safe='')}
    return _PLACEHOLDERS.sub(lambda match: values[match.group(1)], template)


def render_body(body, key_attribute, key, owner_id, group):
    """Fill a delete body template with the setting's identity."""
    values = {'key_attribute': key_attribute, 'key': key, 'owner_id': owner_id, 'group': group}

    # One pass, so a key that itself contains '{owner_id}' is sent as it is.
    def fill(text):
        return _PLACEHOLDERS.sub(lambda match: values[match.group(1)], text)

    return dict((fill(k), fill(v)) for k, v in body.items())
