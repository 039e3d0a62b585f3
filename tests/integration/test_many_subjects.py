# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of a scan for many subjects at once.

With more than a few subjects, the page pre-filter checks their e-mail local parts with one
regular expression and their phone numbers' last digits with an Aho-Corasick automaton, or,
without pyahocorasick, digit run by digit run. Each way must find, for the lab's subjects,
exactly the settings that a scan for those subjects alone finds.
"""

from lab_helpers import DEMO_EMAIL, DEMO_PHONE, ansible_env, search_connection

TEST_EMAIL = 'max.mustermann@example.org'
TEST_PHONE = '+1 202-555-0143'
SUBJECTS = [DEMO_EMAIL, DEMO_PHONE, TEST_EMAIL, TEST_PHONE]
# Addresses at a reserved domain, and UK numbers reserved for drama (0161 496 0000 to 0999).
OTHER_SUBJECTS = ['nobody.%03d@decoy.example.net' % number for number in range(60)]
OTHER_SUBJECTS += ['+44 161 496 0%03d' % number for number in range(60)]


def found(run_module, subjects, env=None):
    result = run_module('personal_data_info', subjects=subjects, default_region='GB', hash_salt='many-subjects',
                        env=env, **search_connection())
    assert result.get('failed') is not True, result.get('msg')
    assert result['scan']['complete']
    return result


def pairs(result, subject_ids):
    """Return the (setting id, subject id) pairs of a result for the given subject ids."""
    return set((match['setting_id'], subject) for match in result['matches']
               for subject in match['subjects'] if subject in subject_ids)


def test_many_subjects_find_what_few_find(seeded, run_module):
    few = found(run_module, SUBJECTS)
    subject_ids = set(subject for match in few['matches'] for subject in match['subjects'])
    # The lab's seed has settings for each of the four subjects.
    assert len(subject_ids) == 4
    assert len(few['matches']) >= 8

    many = found(run_module, OTHER_SUBJECTS[:60] + SUBJECTS + OTHER_SUBJECTS[60:])
    assert pairs(many, subject_ids) == pairs(few, subject_ids)


def test_many_subjects_without_pyahocorasick(seeded, run_module, tmp_path):
    """The module falls back to its own digit run checks when pyahocorasick cannot be imported."""
    blocker = tmp_path / 'blocker'
    blocker.mkdir()
    imported = tmp_path / 'ahocorasick-imported'
    (blocker / 'ahocorasick.py').write_text(
        'open(%r, "w").close()\nraise ImportError("pyahocorasick is hidden for this test")\n' % str(imported))
    env = ansible_env(PYTHONPATH=str(blocker))

    few = found(run_module, SUBJECTS)
    subject_ids = set(subject for match in few['matches'] for subject in match['subjects'])
    many = found(run_module, SUBJECTS + OTHER_SUBJECTS, env=env)
    assert imported.exists()
    assert pairs(many, subject_ids) == pairs(few, subject_ids)
