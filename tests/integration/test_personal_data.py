# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of gdpr.gws.personal_data_info and gdpr.gws.personal_data on the lab.

Each test reseeds the lab, runs the module through ansible-playbook, and checks the data in
Cassandra and through the GWS API afterwards, not only the module's result.
"""

import json
import re

import pytest

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, ansible_env, group_keys, lab_connection, locations_of,
                         search_connection, settings_fingerprint)

DEMO = [DEMO_EMAIL, DEMO_PHONE]
FAVORITES = 'interaction-workspace-personal-favorites'


def found_locations(result):
    return set((m['scope'], m['owner_id'], m['group'], m['key']) for m in result['matches'])


def key_attribute(manifest, group):
    return manifest['groups'][group]['key_attribute']


def test_info_finds_every_format(seeded, run_module):
    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', reveal_pii=True,
                        **search_connection())

    expected = locations_of(seeded, 'demo_email', 'demo_phone')
    assert found_locations(result) == expected
    assert result['changed'] is False
    assert result['scan']['complete'] is True
    assert result['counts']['rows_scanned'] == seeded['totals']['settings']


def test_info_ignores_look_alikes(seeded, run_module):
    result = run_module('personal_data_info', subjects=DEMO + ['max.mustermann@example.org', '+1 202-555-0143'],
                        default_region='GB', reveal_pii=True, **search_connection())

    look_alikes = set((l['scope'], l['owner_id'], l['group'], l['key']) for l in seeded['look_alikes'])
    assert look_alikes
    assert not look_alikes & found_locations(result)


def test_info_masks_by_default(seeded, run_module):
    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **search_connection())

    text = run_module.last.stdout + repr(result)
    assert DEMO_EMAIL not in text
    assert '2079460958' not in text
    assert all('value' not in match for match in result['matches'])
    assert result['subjects'][0]['masked'] == 'j***@e***.com'


def test_contact_center_setting_not_erasable(seeded, run_module):
    result = run_module('personal_data_info', subjects=[DEMO_EMAIL], **search_connection())

    corporate = [m for m in result['matches'] if m['scope'] == 'contact-center']
    assert len(corporate) == 1
    assert corporate[0]['erasable'] is False
    assert 'include_contact_center' in corporate[0]['reason']


def test_check_mode_changes_nothing(seeded, run_module, cql, gws_api):
    before = settings_fingerprint(cql)

    result = run_module('personal_data', check=True, diff=True, subjects=DEMO, default_region='GB',
                        **lab_connection())

    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    assert result['changed'] is True
    assert len(result['planned']) == len(expected)
    assert result['deleted'] == []
    assert settings_fingerprint(cql) == before
    scope, owner, group, key = sorted(expected)[0]
    assert key in group_keys(gws_api, scope, owner, group, key_attribute(seeded, group))
    assert DEMO_EMAIL not in run_module.last.stdout
    assert result['diff']['after'] == ''


def test_erase_removes_subject_only(seeded, run_module, cql, gws_api):
    before = settings_fingerprint(cql)
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **lab_connection())

    assert result['changed'] is True
    assert result['failed_settings'] == []
    assert len(result['deleted']) == len(expected)
    assert result['verified'] is True
    after = settings_fingerprint(cql)
    assert set(before) - set(after) == expected
    # Every row that did not hold a subject is byte for byte what it was, look-alikes included.
    assert all(after[row] == before[row] for row in after)
    for scope, owner, group, key in expected:
        assert key not in group_keys(gws_api, scope, owner, group, key_attribute(seeded, group))
    corporate = locations_of(seeded, 'demo_email', scope='contact-center')
    assert corporate and corporate <= set(after)


def test_erase_twice_is_idempotent(seeded, run_module):
    first = run_module('personal_data', subjects=DEMO, default_region='GB', **lab_connection())
    second = run_module('personal_data', subjects=DEMO, default_region='GB', **lab_connection())

    assert first['changed'] is True
    assert second['changed'] is False
    assert second['planned'] == []
    assert second['counts']['erasable'] == 0


def test_erase_one_group_only(seeded, run_module, cql):
    before = settings_fingerprint(cql)

    result = run_module('personal_data', subjects=[DEMO_PHONE], default_region='GB', groups=[FAVORITES],
                        **lab_connection())

    expected = set(l for l in locations_of(seeded, 'demo_phone', scope='user') if l[2] == FAVORITES)
    assert expected
    assert set(before) - set(settings_fingerprint(cql)) == expected
    assert all(m['group'] == FAVORITES for m in result['matches'])


def test_wrong_gws_password_deletes_nothing(seeded, run_module, cql):
    before = settings_fingerprint(cql)
    options = lab_connection()
    options['gws_password'] = 'not-the-password'

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'credentials' in result['msg']
    assert 'nothing was deleted' in result['msg']
    assert 'not-the-password' not in run_module.last.stdout
    assert settings_fingerprint(cql) == before


def test_non_admin_user_deletes_nothing(seeded, run_module, cql):
    before = settings_fingerprint(cql)
    options = lab_connection()
    options.update(gws_username='lab-agent', gws_password='lab-agent-password')

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'administrator' in result['msg'] or 'permission' in result['msg'].lower()
    assert settings_fingerprint(cql) == before


def test_max_deletions_guard(seeded, run_module, cql):
    before = settings_fingerprint(cql)

    result = run_module('personal_data', subjects=DEMO, default_region='GB', max_deletions=2, **lab_connection())

    assert result['failed'] is True
    assert 'max_deletions' in result['msg']
    assert settings_fingerprint(cql) == before


def test_include_contact_center_erases_it(seeded, run_module, cql):
    result = run_module('personal_data', subjects=[DEMO_EMAIL], include_contact_center=True, **lab_connection())

    corporate = locations_of(seeded, 'demo_email', scope='contact-center')
    assert result['changed'] is True
    assert not corporate & set(settings_fingerprint(cql))


def test_csrf_headers_as_json_string(seeded, run_module, cql):
    options = lab_connection()
    options['gws_additional_headers'] = '{"X-Request-Source": "gdpr-test"}'

    result = run_module('personal_data', subjects=[DEMO_EMAIL], **options)

    assert result['changed'] is True
    assert result['verified'] is True


@pytest.mark.parametrize('subjects, field', [
    (['not a subject'], 'subjects[0]'),
    (['jane.doe@'], 'subjects[0]'),
    ([DEMO_EMAIL, '+44 20 7946'], 'subjects[1]'),
    ([''], 'subjects[0]'),
    (['x'], 'subjects[0]'),
])
def test_invalid_subject_names_field(seeded, run_module, cql, subjects, field):
    before = settings_fingerprint(cql)

    result = run_module('personal_data', subjects=subjects, default_region='GB', **lab_connection())

    assert result['failed'] is True
    assert field in result['msg']
    for subject in subjects:
        if len(subject) > 3:
            assert subject not in result['msg']
    assert settings_fingerprint(cql) == before


@pytest.mark.parametrize('option, value, message', [
    ('gws_url', '127.0.0.1:8090', 'gws_url must start with http'),
    ('gws_additional_headers', '{not json', 'gws_headers is not valid JSON'),
    ('gws_additional_headers', '["a"]', 'gws_headers must be a mapping'),
    ('gws_headers', {'X-Evil': 'a\r\nb'}, 'line break'),
    ('cassandra_port', 0, 'cassandra_port must be between 1 and 65535'),
    ('groups', ['a/b'], 'groups[0]'),
    ('consistency_level', 'SERIAL', 'consistency_level'),
])
def test_invalid_option_fails_before_deleting(seeded, run_module, cql, option, value, message):
    before = settings_fingerprint(cql)
    options = lab_connection()
    options[option] = value

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert message in result['msg']
    assert settings_fingerprint(cql) == before


def test_unreachable_cassandra_fails_clearly(run_module):
    options = lab_connection()
    options.update(cassandra_port=1, cassandra_connect_timeout=2)

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert '127.0.0.1' in result['msg']
    assert 'port 1' in result['msg']


def test_missing_keyspace_named_in_error(run_module):
    options = search_connection()
    options['cassandra_keyspace'] = 'no_such_keyspace'

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert "keyspace 'no_such_keyspace' not found" in result['msg']


def test_dry_run_non_admin_fails(seeded, run_module, cql):
    before = settings_fingerprint(cql)
    options = lab_connection()
    options.update(gws_username='lab-agent', gws_password='lab-agent-password')

    result = run_module('personal_data', check=True, subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'Dry run' in result['msg']
    assert 'nothing was deleted' in result['msg']
    assert settings_fingerprint(cql) == before


def test_row_unknown_to_gws_fails_verification(seeded, run_module, cql):
    # A user that GWS does not know: GWS returns "not found" for the delete, but the row stays.
    orphan = ('user', 'f' * 32, FAVORITES, 'fav-orphan')
    cql.execute('INSERT INTO sipfs.settings (scope, owner_id, group_name, setting_key, value) VALUES (%s, %s, %s, %s, %s)',
                orphan + ('{"name": "fav-orphan", "emailAddresses": ["%s"]}' % DEMO_EMAIL,))

    result = run_module('personal_data', subjects=[DEMO_EMAIL], **lab_connection())

    assert result['failed'] is True
    assert 'not found' in result['msg']
    assert orphan in settings_fingerprint(cql)
    assert len(result['still_present']) == 1
    assert result['verified'] is False


def test_bare_national_number_not_matched(seeded, run_module, cql):
    # A US number written nationally has the same digits as the UK subject without its trunk 0.
    row = ('user', seeded['sample_agent_ids'][0], FAVORITES, 'fav-us-contact')
    cql.execute('INSERT INTO sipfs.settings (scope, owner_id, group_name, setting_key, value) VALUES (%s, %s, %s, %s, %s)',
                row + ('{"name": "fav-us-contact", "phoneNumbers": ["(207) 946-0958"]}',))

    run_module('personal_data', subjects=[DEMO_PHONE], default_region='GB', **lab_connection())

    assert row in settings_fingerprint(cql)


def test_erase_finds_encoded_forms(seeded, run_module, cql):
    """Subjects written with escapes, combining accents, direction marks or fullwidth forms are erased; look-alikes are kept."""
    owner = next(location['owner_id'] for location in seeded['subjects']['demo_email']['locations']
                 if location['scope'] == 'user' and location['group'] == FAVORITES)
    values = {
        'fav-html-email': {'notes': '<a href="mailto:jane.doe&#64;example.com">Jane</a>'},
        'fav-html-phone': {'phoneNumbers': ['020&nbsp;7946&nbsp;0958']},
        'fav-decomposed-accents': {'emailAddresses': ['jose\u0301.garci\u0301a@example.com']},
        'fav-escaped-twice': {'notes': 'Mail: jane.doe@example.com&amp;nbsp;<br>'},
        'fav-right-to-left': {'phoneNumbers': ['\u200f\u200e+44 20\u200e 7946 0958\u200f']},
        'fav-html-look-alike': {'emailAddresses': ['xjane.doe&#64;example.com']},
        'fav-fullwidth-at': {'emailAddresses': ['jane.doe\uff20example.com']},
        'fav-ideographic-spaces': {'phoneNumbers': ['020\u30007946\u30000958']},
        'fav-japanese-sentence': {'notes': '\u30e1\u30fc\u30eb\u306fjane.doe@example.com\u3067\u3059'},
        'fav-japanese-phone': {'notes': '\u96fb\u8a71020 7946 0958'},
        'fav-fullwidth-look-alike': {'emailAddresses': ['\uff58jane.doe@example.com']},
        # Other people's data, in which an escape or an accent next to the subject is part of the address.
        'fav-escaped-ampersand': {'emailAddresses': ['bob&amp;jane.doe@example.com']},
        'fav-old-entity-name': {'emailAddresses': ['bob&copyjane.doe@example.com']},
        'fav-escaped-domain-dot': {'emailAddresses': ['jane.doe@example.com&#46;au']},
        'fav-escaped-reference': {'notes': 'ORD&#45;442079460958&#45;7'},
        'fav-accent-before': {'emailAddresses': ['rene\u0301jane.doe@example.com']},
        'fav-escaped-domain-letter': {'emailAddresses': ['jane.doe@example.com.&#x61;u']},
        'fav-soft-hyphen-before': {'emailAddresses': ['bob\u00adjane.doe@example.com']},
        'fav-isolated-reference': {'notes': 'ORD-\u2068442079460958\u2069'},
        'fav-fullwidth-domain-dot': {'emailAddresses': ['jane.doe@example.com\uff0eau']},
        'fav-ideographic-domain-dot': {'emailAddresses': ['jane.doe@example.com\u3002au']},
    }
    for key, value in values.items():
        cql.execute('INSERT INTO sipfs.settings (scope, owner_id, group_name, setting_key, value) VALUES (%s, %s, %s, %s, %s)',
                    ('user', owner, FAVORITES, key, json.dumps(dict(value, name=key), ensure_ascii=False)))

    result = run_module('personal_data', subjects=DEMO + ['jos\u00e9.garc\u00eda@example.com'], default_region='GB',
                        **lab_connection())

    assert result.get('failed') is not True, result.get('msg')
    assert result['verified'] is True
    keys = set(row.setting_key for row in cql.execute(
        'SELECT setting_key FROM sipfs.settings WHERE scope = %s AND owner_id = %s AND group_name = %s',
        ('user', owner, FAVORITES)))
    assert 'fav-html-email' not in keys
    assert 'fav-html-phone' not in keys
    assert 'fav-decomposed-accents' not in keys
    assert 'fav-escaped-twice' not in keys
    assert 'fav-right-to-left' not in keys
    assert 'fav-html-look-alike' in keys
    assert 'fav-fullwidth-at' not in keys
    assert 'fav-ideographic-spaces' not in keys
    assert 'fav-japanese-sentence' not in keys
    assert 'fav-japanese-phone' not in keys
    assert 'fav-fullwidth-look-alike' in keys
    assert 'fav-fullwidth-domain-dot' in keys
    assert 'fav-ideographic-domain-dot' in keys
    assert 'fav-escaped-ampersand' in keys
    assert 'fav-old-entity-name' in keys
    assert 'fav-escaped-domain-dot' in keys
    assert 'fav-escaped-reference' in keys
    assert 'fav-accent-before' in keys
    assert 'fav-escaped-domain-letter' in keys
    assert 'fav-soft-hyphen-before' in keys
    assert 'fav-isolated-reference' in keys


def test_subject_typed_fullwidth_finds_the_same(seeded, run_module):
    """A subject typed with an East Asian input method finds what the ASCII address finds."""
    typed = '\uff4a\uff41\uff4e\uff45.doe\uff20example.com'

    ascii_result = run_module('personal_data_info', subjects=[DEMO[0]], hash_salt='same-ids', **search_connection())
    typed_result = run_module('personal_data_info', subjects=[typed], hash_salt='same-ids', **search_connection())

    assert ascii_result['matches']
    assert ([match['setting_id'] for match in typed_result['matches']]
            == [match['setting_id'] for match in ascii_result['matches']])


def test_reveal_pii_still_masks_subjects(seeded, run_module):
    # The module keeps Ansible's no_log masking only for the values that occur in its result. The
    # subject that is stored verbatim must still be masked, and the other one must not leak either.
    absent = 'no.such.subject@example.org'
    result = run_module('personal_data_info', subjects=[DEMO_EMAIL, absent], default_region='GB', reveal_pii=True,
                        verbosity=3, **search_connection())

    # At -vvv the output has the module's whole result, with its invocation.
    text = json.dumps(result) + run_module.last.stdout
    values = [json.dumps(match['value']) for match in result['matches']]
    assert any('********' in value for value in values)
    assert re.search(r'"subjects": \[\s*"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",\s*"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"\s*\]',
                     run_module.last.stdout)
    assert DEMO_EMAIL not in text
    assert absent not in text


def test_failure_traceback_masks_salt(seeded, run_module):
    # 'ansible' occurs in the file paths of the module's traceback and nowhere else in the result.
    # A failed run keeps Ansible's masking with every no_log value, traceback included.
    result = run_module('personal_data', check=True, subjects=[DEMO_EMAIL], default_region='GB', hash_salt='ansible',
                        max_deletions=0, env=ansible_env(ANSIBLE_DISPLAY_TRACEBACK='error'), **search_connection())

    assert result['failed'] is True
    assert 'more than max_deletions' in result['msg']
    module_traceback = result['exception'].split('The above target exception was the direct cause')[0]
    assert 'Traceback' in module_traceback
    assert 'ansible' not in module_traceback


def test_invocation_masked_once(seeded, run_module):
    # 'LOG' is part of the placeholder VALUE_SPECIFIED_IN_NO_LOG_PARAMETER, so masking the invocation
    # twice would write VALUE_SPECIFIED_IN_NO_********_PARAMETER. ansible-core 2.21 prints no
    # invocation at -vvv, so there the check reads the result only.
    result = run_module('personal_data_info', subjects=[DEMO_EMAIL], default_region='GB', hash_salt='LOG',
                        verbosity=3, **search_connection())

    assert result['matches']
    assert 'NO_********_PARAMETER' not in run_module.last.stdout
    assert 'NO_********_PARAMETER' not in json.dumps(result)


def test_warning_masks_subject_in_path(seeded, run_module, tmp_path):
    # ansible-core 2.19 and later show module warnings without masking them, so the modules mask their own.
    # An export directory named after the subject, readable by others, makes the module warn with its path.
    export_dir = tmp_path / DEMO_EMAIL
    export_dir.mkdir()
    export_dir.chmod(0o755)

    result = run_module('personal_data_info', subjects=[DEMO_EMAIL], default_region='GB', export_dir=str(export_dir),
                        **search_connection())

    output = run_module.last.stdout + run_module.last.stderr + json.dumps(result)
    assert 'can be listed by other users' in output
    assert str(tmp_path / '********') in output
    assert DEMO_EMAIL not in output
