# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the seed script's data generation (no Cassandra needed)."""

import json
import random

import seed

SUBJECT_TEXTS = ("jane.doe", "7946 0958", "79460958", "mustermann", "555-0143", "5550143")


def test_fake_phones_avoid_subjects_and_look_alikes():
    generator = seed.Generator(random.Random(1))
    digits = set()
    for _draw in range(20000):
        digits.add("".join(char for char in generator.phone() if char.isdigit()))
    for forbidden in ("2079460958", "2079460959", "2025550143", "2025550142", "2025550144"):
        assert not any(number.endswith(forbidden) for number in digits)


def test_fake_phones_use_fictional_ranges():
    generator = seed.Generator(random.Random(2))
    for _draw in range(2000):
        number = "".join(char for char in generator.phone() if char.isdigit())
        assert number.startswith(("4420794", "0207946", "1202555", "3319900"))


def test_fake_emails_avoid_subject_names():
    generator = seed.Generator(random.Random(3))
    for _draw in range(5000):
        address = generator.email(*generator.person())
        assert not any(text in address for text in ("jane", "doe", "max.", "mustermann"))
        assert address.split("@")[1] in seed.EMAIL_DOMAINS


def test_name_lists_leave_out_subject_names():
    for name in ("Jane", "Doe", "Max", "Mustermann"):
        assert name not in seed.FIRST_NAMES
        assert name not in seed.LAST_NAMES


def test_special_settings_cover_every_subject():
    covered = set()
    for special in seed.special_settings():
        covered.update(special.subjects)
    assert covered == set(seed.SUBJECTS)


def test_look_alikes_hold_no_subject():
    look_alikes = [special for special in seed.special_settings() if special.looks_like]
    assert len(look_alikes) >= 11
    for special in look_alikes:
        assert not special.subjects
        text = json.dumps(special.value)
        assert '"jane.doe@example.com"' not in text
        assert '"max.mustermann@example.org"' not in text


def test_contact_center_special_is_corporate_favorite():
    centre = [special for special in seed.special_settings() if special.scope == seed.CC_SCOPE]
    assert len(centre) == 1
    assert centre[0].group == seed.CORPORATE_FAVORITES
    assert centre[0].subjects == ("demo_email",)


def test_guarded_iterator_keeps_generator_error():
    def broken():
        yield 1
        raise RuntimeError("generator failed")

    guarded = seed.GuardedIterator(broken())
    assert list(guarded) == [1]
    assert isinstance(guarded.error, RuntimeError)
