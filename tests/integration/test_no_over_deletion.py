# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test that a forget run deletes the subjects' settings and touches nothing else.

Every row of the lab's settings, settings_groups and users tables is fingerprinted, write time
included, before the playbook gdpr.gws.forget_me runs for four subjects while GWS throttles and
drops some requests. Afterwards exactly the user settings that the seed manifest lists for the
subjects must be gone. Every other row must be byte for byte what it was, and must not have been
written again. That includes the look-alikes that differ from a subject by one digit or one
label, the corporate favorite that is not erasable by default, and the settings of everyone else.
"""

import json

from fault_helpers import full_fingerprint
from lab_helpers import DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook, locations_of

SUBJECTS = [DEMO_EMAIL, DEMO_PHONE, 'max.mustermann@example.org', '+1 202-555-0143']
SUBJECT_NAMES = ('demo_email', 'demo_phone', 'test_email', 'test_phone')


def test_forget_run_deletes_only_matches(seeded, cql, tmp_path, gws_faults):
    expected = set(('settings',) + row for row in locations_of(seeded, *SUBJECT_NAMES, scope='user'))
    look_alikes = set(('settings', l['scope'], l['owner_id'], l['group'], l['key']) for l in seeded['look_alikes'])
    corporate = set(('settings',) + row for row in locations_of(seeded, *SUBJECT_NAMES, scope='contact-center'))
    assert expected
    assert look_alikes
    assert corporate
    assert not look_alikes & expected
    before = full_fingerprint(cql)
    # The first DELETE is throttled three times; two later ones are applied but lose their response.
    gws_faults.set({'kind': 'throttle', 'retry_after': 0, 'methods': ['DELETE'], 'count': 3},
                   {'kind': 'drop', 'after': True, 'methods': ['DELETE'], 'skip': 5, 'count': 1},
                   {'kind': 'drop', 'after': True, 'methods': ['DELETE'], 'skip': 10, 'count': 1})

    variables = tmp_path / 'request.json'
    variables.write_text(json.dumps({'subjects': SUBJECTS, 'cleanup': True,
                                     'forget_me_report_dir': str(tmp_path / 'reports')}))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % variables)

    assert completed.returncode == 0, completed.stdout[-4000:]
    assert gws_faults.fired() == [3, 1, 1]
    after = full_fingerprint(cql)
    assert set(before) - set(after) == expected
    assert set(after) <= set(before)
    rewritten = sorted(row for row in after if after[row] != before[row])
    assert rewritten == []
    assert look_alikes <= set(after)
    assert corporate <= set(after)
