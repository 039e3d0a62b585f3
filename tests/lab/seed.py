# SPDX-License-Identifier: GPL-3.0-or-later
"""Fill the lab's Cassandra tables with agents and their settings, and write a manifest for tests.

Usage:
  python tests/lab/seed.py --rows 300 --random-seed 42 --manifest .lab/seed-manifest.json
      [--cassandra-host 127.0.0.1] [--cassandra-port 9042] [--keyspace sipfs] [--no-truncate]

What it writes (all names, numbers and addresses are fictional):
- agents in sipfs.users (32-hex ids, role ROLE_AGENT, no password so they cannot log in), plus the
  lab users lab-admin and lab-agent;
- for every agent the settings groups interaction-workspace-personal-favorites (key `name`),
  interaction-workspace-recents (key `id`) and interaction-workspace (key `name`), filled with
  favorites, recent contacts and preferences. Phone numbers come from ranges reserved for fiction
  (+44 20 7946 0xxx, +1 202-555-01xx, +33 1 99 00 xx xx), e-mail domains are example.com/.org/.net;
- the demo subjects (jane.doe@example.com, +44 20 7946 0958) and the test subjects
  (max.mustermann@example.org, +1 202-555-0143) in many formats across several agents, look-alike
  values that must not match them, and a contact-center corporate favorite with the demo e-mail.

--rows is the total number of rows written to sipfs.settings. Generation is streamed: rows are
produced agent by agent and written as one unlogged batch per settings partition with
execute_concurrent, so memory stays flat for millions of rows. The manifest (JSON) lists every
(scope, owner_id, group, key) that contains each subject, the look-alike settings and the totals.
Logs carry counts and ids only, never the values.
"""

import argparse
import json
import logging
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import gws_emulator

LOG = logging.getLogger("seed")

FAVORITES = "interaction-workspace-personal-favorites"
RECENTS = "interaction-workspace-recents"
PREFERENCES = "interaction-workspace"
CORPORATE_FAVORITES = "corporate-favorites"
USER_SCOPE = gws_emulator.USER_SCOPE
CC_SCOPE = gws_emulator.CONTACT_CENTER_SCOPE

# group name -> (display name, key attribute)
USER_GROUPS = {
    FAVORITES: ("Personal Favorites", "name"),
    RECENTS: ("Recent Contacts", "id"),
    PREFERENCES: ("Workspace Preferences", "name"),
}
CC_GROUPS = {
    CORPORATE_FAVORITES: ("Corporate Favorites", "name"),
}

SUBJECTS = {
    "demo_email": {"value": "jane.doe@example.com", "kind": "email", "normalized": "jane.doe@example.com"},
    "demo_phone": {"value": "+44 20 7946 0958", "kind": "phone", "normalized": "+442079460958"},
    "test_email": {"value": "max.mustermann@example.org", "kind": "email", "normalized": "max.mustermann@example.org"},
    "test_phone": {"value": "+1 202-555-0143", "kind": "phone", "normalized": "+12025550143"},
}
DEFAULT_REGION = "GB"

# Name lists for the fictional people. They leave out Jane, Doe, Max and Mustermann so that no
# generated address or name can collide with a subject or a look-alike.
FIRST_NAMES = (
    "Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "Elijah", "Mia", "Lucas", "Sofia", "Mateo",
    "Chloé", "Hugo", "Léa", "Louis", "Zoë", "Arthur", "Inès", "Jules", "Freya", "Oscar", "Ruby", "George",
    "Priya", "Arjun", "Mei", "Kenji", "Amara", "Tariq", "Nadia", "Lars", "Ingrid", "José", "Lucía", "Marco",
    "Giulia", "Anouk", "Daan", "Siobhan", "Callum", "Aisha", "Yusuf", "Elena", "Pavel", "Hana", "Tomás",
)
LAST_NAMES = (
    "Bennett", "Hughes", "Patel", "Nguyen", "Okafor", "Kowalski", "Rossi", "Dubois", "Martin", "Garcia",
    "Schmidt", "Jansen", "Larsen", "Novak", "Murphy", "Walsh", "Campbell", "Fraser", "Khan", "Ahmed",
    "Moreau", "Lefèvre", "Bianchi", "Silva", "Costa", "Andersson", "Nielsen", "Horvath", "Popescu",
    "Yamamoto", "Tanaka", "Chen", "Wong", "Singh", "Mensah", "Adeyemi", "Fischer", "Weber", "Brennan",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
CATEGORIES = ("Customers", "Suppliers", "Partners", "Escalations", "Internal", "Billing")
PREFERENCE_NAMES = (
    "layout.theme", "layout.density", "voice.auto-answer", "voice.ring-volume", "email.signature-enabled",
    "chat.sound", "notifications.desktop", "team-communicator.filter", "contact.default-view",
    "statistics.refresh-seconds", "keyboard.shortcuts", "language",
)
PREFERENCE_VALUES = ("true", "false", "dark", "light", "compact", "comfortable", "15", "30", "en-GB", "fr-FR")

# Fictional UK range 020 7946 0000-0999 and US range 202-555-0100..0199, less the subjects and
# the look-alikes.
UK_EXCLUDED = {958, 959}
US_EXCLUDED = {142, 143, 144}
RECENT_EPOCH = datetime(2025, 1, 6, 8, 0, 0, tzinfo=timezone.utc)


class SpecialSetting:
    """A fixed setting that contains subjects in a given format, or a look-alike that must not match."""

    def __init__(self, group, value, subjects=(), fmt="", looks_like=None, key=None, scope=USER_SCOPE):
        self.scope = scope
        self.group = group
        self.value = value          # dict, or JSON text when the raw text matters
        self.subjects = tuple(subjects)
        self.format = fmt
        self.looks_like = looks_like
        self.key = key              # None: a generated key


def _favorite(first, last, phones=(), emails=(), category="Customers", **extra):
    value = {"name": None, "displayName": "%s %s" % (first, last), "firstName": first, "lastName": last,
             "phoneNumbers": list(phones), "emailAddresses": list(emails), "category": category}
    value.update(extra)
    return value


def _recent(target, media):
    return {"id": None, "target": target, "media": media, "timestamp": None}


def special_settings():
    """Return the subject placements and look-alikes, in a fixed order."""
    specials = [
        # Demo e-mail in its formats.
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["+44 20 7946 0958"], ["jane.doe@example.com"]),
                       ["demo_email", "demo_phone"], "plain e-mail and international phone"),
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", [], ["Jane.Doe@Example.COM"], "Escalations"),
                       ["demo_email"], "mixed-case e-mail"),
        SpecialSetting(RECENTS, _recent("mailto:jane.doe@example.com", "email"), ["demo_email"], "mailto: URI"),
        SpecialSetting(FAVORITES, "ESCAPED_EMAIL", ["demo_email"], "JSON-escaped @ (\\u0040) in the raw text"),
        SpecialSetting(PREFERENCES, {"name": "last-callback-request",
                                     "value": json.dumps({"email": "jane.doe@example.com"})},
                       ["demo_email"], "JSON object inside a JSON string"),
        SpecialSetting(FAVORITES, _favorite("J.", "Doe", category="Billing", notes={"history": [
            {"date": "2025-02-11", "channels": [{"type": "email", "address": "jane.doe@example.com"}]}]}),
            ["demo_email"], "deep nesting"),
        # Demo phone in its formats.
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["+442079460958"]), ["demo_phone"], "E.164"),
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["020 7946 0958"]), ["demo_phone"], "national (GB)"),
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["(020) 7946-0958"]), ["demo_phone"],
                       "national with brackets and hyphen"),
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["0044 20 7946 0958"]), ["demo_phone"], "00 international prefix"),
        SpecialSetting(FAVORITES, _favorite("Jane", "Doe", ["+44.20.7946.0958"]), ["demo_phone"], "dotted"),
        SpecialSetting(RECENTS, _recent("tel:+44-20-7946-0958", "voice"), ["demo_phone"], "tel: URI"),
        SpecialSetting(RECENTS, _recent("+442079460958", "voice"), ["demo_phone"],
                       "recent keyed by the dialled number", key="+442079460958"),
        SpecialSetting(PREFERENCES, {"name": "pending-callback",
                                     "value": json.dumps({"phone": "020 7946 0958", "attempts": 2})},
                       ["demo_phone"], "national phone inside a JSON string"),
        # Test subjects, and one setting that contains a demo and a test subject.
        SpecialSetting(FAVORITES, _favorite("Max", "Mustermann", ["+1 202-555-0143"], ["max.mustermann@example.org"]),
                       ["test_email", "test_phone"], "plain e-mail and international phone"),
        SpecialSetting(FAVORITES, _favorite("Max", "Mustermann", [], ["MAX.MUSTERMANN@EXAMPLE.ORG"]),
                       ["test_email"], "upper-case e-mail"),
        SpecialSetting(RECENTS, _recent("+12025550143", "voice"), ["test_phone"], "E.164 target"),
        SpecialSetting(RECENTS, _recent("tel:+1-202-555-0143", "voice"), ["test_phone"], "tel: URI"),
        SpecialSetting(FAVORITES, _favorite("Max", "Mustermann", ["00 1 202 555 0143"]), ["test_phone"],
                       "00 international prefix (dialled from GB)"),
        SpecialSetting(PREFERENCES, {"name": "escalation-contact",
                                     "value": json.dumps({"contact": {"email": "max.mustermann@example.org"}})},
                       ["test_email"], "JSON object inside a JSON string"),
        SpecialSetting(FAVORITES, _favorite("Household", "Contact", ["+1 202-555-0143"], ["jane.doe@example.com"]),
                       ["demo_email", "test_phone"], "two subjects in one setting"),
        # Contact-center corporate favorite (reported, not deleted, by default).
        SpecialSetting(CORPORATE_FAVORITES, _favorite("Jane", "Doe", [], ["jane.doe@example.com"], "Partners"),
                       ["demo_email"], "contact-center corporate favorite", scope=CC_SCOPE),
    ]
    look_alikes = [
        ("demo_email", "email", "jane.doe@example.com.au"),
        ("demo_email", "email", "xjane.doe@example.com"),
        ("demo_email", "email", "jane.doe@example.co"),
        ("demo_email", "email", "jane.doe2@example.com"),
        ("demo_email", "email", "jane.doe@sub.example.com"),
        ("demo_phone", "phone", "+44 20 7946 0959"),
        ("demo_phone", "phone", "+44 20 7946 09581"),
        ("demo_phone", "phone", "020 7946 09580"),
        ("demo_phone", "reference", "4420794609581"),
        ("demo_phone", "reference", "ORD-442079460958-7"),
        ("demo_phone", "phone", "+33 20 7946 0958"),
        ("test_email", "email", "max.mustermann@example.org.uk"),
        ("test_phone", "phone", "+1 202-555-0142"),
    ]
    for index, (subject, kind, text) in enumerate(look_alikes):
        if kind == "email":
            value = _favorite("Janet", "Doyle", [], [text], "Suppliers")
        elif kind == "phone":
            value = _favorite("Janet", "Doyle", [text], [], "Suppliers")
        else:
            value = {"name": "last-order-reference-%d" % index, "value": text}
        group = PREFERENCES if kind == "reference" else FAVORITES
        special = SpecialSetting(group, value, fmt="look-alike %s" % kind, looks_like=subject)
        special.look_alike_value = text
        specials.append(special)
    return specials


class Generator:
    """Deterministic fake data from one random.Random."""

    def __init__(self, rng):
        self.rng = rng

    def hex_id(self, bits=128):
        return "%0*x" % (bits // 4, self.rng.getrandbits(bits))

    def person(self):
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def phone(self):
        """Return a phone number from a fictional range, in one of several written forms."""
        draw = self.rng.random()
        if draw < 0.5:
            line = self._line(0, 1000, UK_EXCLUDED)
            return self.rng.choice(("+44 20 7946 %04d", "020 7946 %04d", "+44207946%04d")) % line
        if draw < 0.8:
            line = self._line(100, 200, US_EXCLUDED)
            return self.rng.choice(("+1 202-555-%04d", "+1 (202) 555-%04d", "+1202555%04d")) % line
        pair = (self.rng.randrange(100), self.rng.randrange(100))
        return self.rng.choice(("+33 1 99 00 %02d %02d", "+3319900%02d%02d")) % pair

    def _line(self, start, stop, excluded):
        while True:
            line = self.rng.randrange(start, stop)
            if line not in excluded:
                return line

    def email(self, first, last):
        local = "%s.%s" % (_ascii(first), _ascii(last))
        if self.rng.random() < 0.3:
            local += str(self.rng.randrange(1, 100))
        return "%s@%s" % (local.lower(), self.rng.choice(EMAIL_DOMAINS))

    def timestamp(self):
        moment = RECENT_EPOCH + timedelta(seconds=self.rng.randrange(0, 180 * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ascii(name):
    replacements = {"é": "e", "è": "e", "ë": "e", "É": "E", "á": "a", "í": "i", "ó": "o", "ú": "u", "ü": "u"}
    return "".join(replacements.get(char, char) for char in name).replace(" ", "").replace(".", "")


class Seeder:
    """Streams statements for one seed run and collects the manifest."""

    def __init__(self, args, session):
        self.args = args
        self.session = session
        self.rng = random.Random(args.random_seed)
        self.gen = Generator(self.rng)
        self.keyspace = args.keyspace
        self.contact_center_id = args.contact_center_id
        self.specials = special_settings()
        self.user_specials = [item for item in self.specials if item.scope == USER_SCOPE]
        self.cc_specials = [item for item in self.specials if item.scope == CC_SCOPE]
        self.cc_filler = args.corporate_favorites
        minimum = len(self.specials) + self.cc_filler
        if args.rows < minimum:
            raise SystemExit("seed: --rows must be at least %d (the fixed subject, look-alike and corporate "
                             "settings); got %d" % (minimum, args.rows))
        self.agents = args.agents or max(10, math.ceil(args.rows / 40))
        self.filler = args.rows - minimum
        self.counts = {"settings": 0, "groups": 0, "users": 0, "per_group": {}, "per_scope": {}}
        self.subject_locations = {name: [] for name in SUBJECTS}
        self.look_alike_locations = []
        self.agent_ids = []

        # Several agents share the special settings; the draw is part of the seeded sequence.
        self.specials_by_agent = {}
        for special in self.user_specials:
            self.specials_by_agent.setdefault(self.rng.randrange(self.agents), []).append(special)

        def prepare(text):
            return session.prepare(text.replace("{ks}", self.keyspace))

        self.insert_setting = prepare(
            "INSERT INTO {ks}.settings (scope, owner_id, group_name, setting_key, value) VALUES (?, ?, ?, ?, ?)")
        self.insert_group = prepare(
            "INSERT INTO {ks}.settings_groups (scope, owner_id, group_name, display_name, key_attribute) "
            "VALUES (?, ?, ?, ?, ?)")
        columns = gws_emulator.USER_COLUMNS
        self.insert_user = prepare("INSERT INTO {ks}.users (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns))))

    # Rows --------------------------------------------------------------------------------------

    def _count(self, scope, group):
        self.counts["settings"] += 1
        self.counts["per_group"][group] = self.counts["per_group"].get(group, 0) + 1
        self.counts["per_scope"][scope] = self.counts["per_scope"].get(scope, 0) + 1

    def _special_row(self, special, owner_id, used_keys):
        """Return (group, key, value text) for a special setting and record it in the manifest."""
        key_attribute = (USER_GROUPS.get(special.group) or CC_GROUPS[special.group])[1]
        key = special.key or self._new_key(special.group, used_keys)
        used_keys.add(key)
        if special.value == "ESCAPED_EMAIL":
            value = _favorite("Jane", "Doe", [], ["jane.doe@example.com"], "Customers")
            value["name"] = key
            text = json.dumps(value).replace("jane.doe@example.com", "jane.doe\\u0040example.com")
        else:
            value = dict(special.value)
            value[key_attribute] = key
            if "timestamp" in value:
                value["timestamp"] = self.gen.timestamp()
            text = json.dumps(value)
        location = {"scope": special.scope, "owner_id": owner_id, "group": special.group, "key": key,
                    "format": special.format}
        for subject in special.subjects:
            self.subject_locations[subject].append(location)
        if special.looks_like:
            self.look_alike_locations.append(dict(location, looks_like=special.looks_like,
                                                  value=special.look_alike_value))
        return special.group, key, text

    def _new_key(self, group, used_keys):
        prefix = {FAVORITES: "fav-", RECENTS: "rec-", PREFERENCES: "pref-", CORPORATE_FAVORITES: "corp-"}[group]
        while True:
            key = prefix + self.gen.hex_id(48)
            if key not in used_keys:
                return key

    def _filler_row(self, used_keys, preference_names):
        draw = self.rng.random()
        if draw < 0.5:
            first, last = self.gen.person()
            phones = [self.gen.phone() for _phone_index in range(self.rng.choice((1, 1, 2)))]
            emails = [self.gen.email(first, last)] if self.rng.random() < 0.7 else []
            key = self._new_key(FAVORITES, used_keys)
            value = _favorite(first, last, phones, emails, self.rng.choice(CATEGORIES))
            value["name"] = key
            group = FAVORITES
        elif draw < 0.85:
            group = RECENTS
            if self.rng.random() < 0.75:
                target, media = self.gen.phone(), "voice"
            else:
                target, media = "mailto:" + self.gen.email(*self.gen.person()), "email"
            key = self._new_key(RECENTS, used_keys)
            # One recent in five is keyed by the dialled number itself, as some clients do.
            if media == "voice" and self.rng.random() < 0.2:
                number = "+" + "".join(char for char in target if char.isdigit())
                if number not in used_keys:
                    key = number
            value = {"id": key, "target": target, "media": media, "timestamp": self.gen.timestamp()}
        else:
            group = PREFERENCES
            base = self.rng.choice(PREFERENCE_NAMES)
            index = preference_names.get(base, 0) + 1
            preference_names[base] = index
            key = base if index == 1 else "%s.%d" % (base, index)
            value = {"name": key, "value": self.rng.choice(PREFERENCE_VALUES)}
        used_keys.add(key)
        return group, key, json.dumps(value)

    # Statements ----------------------------------------------------------------------------------

    def _partition_statements(self, scope, owner_id, rows):
        """Yield the inserts of one settings partition, as unlogged batches of --batch-size rows."""
        from cassandra.query import BatchStatement, BatchType  # pylint: disable=import-outside-toplevel

        size = self.args.batch_size
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            if len(chunk) == 1:
                group, key, text = chunk[0]
                yield self.insert_setting, (scope, owner_id, group, key, text)
                continue
            batch = BatchStatement(batch_type=BatchType.UNLOGGED)
            for group, key, text in chunk:
                batch.add(self.insert_setting, (scope, owner_id, group, key, text))
            yield batch, None
        for group, _key, _text in rows:
            self._count(scope, group)

    def _group_statements(self, scope, owner_id, groups):
        """Yield the settings_groups rows of one owner as one unlogged batch (one partition)."""
        from cassandra.query import BatchStatement, BatchType  # pylint: disable=import-outside-toplevel

        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for name, (display_name, key_attribute) in groups.items():
            self.counts["groups"] += 1
            batch.add(self.insert_group, (scope, owner_id, name, display_name, key_attribute))
        yield batch, None

    def statements(self):
        """Yield (statement, parameters) for the whole run, agent by agent."""
        base_rows, extra_rows = divmod(self.filler, self.agents)
        for index in range(self.agents):
            agent_id = self.gen.hex_id()
            if len(self.agent_ids) < 20:
                self.agent_ids.append(agent_id)
            first, last = self.gen.person()
            user_name = "%s.%s.%05d" % (_ascii(first).lower(), _ascii(last).lower(), index + 1)
            self.counts["users"] += 1
            yield self.insert_user, (agent_id, user_name, None, first, last,
                                     "%s@contact-center.example.net" % user_name, {gws_emulator.AGENT_ROLE}, True,
                                     self.contact_center_id)
            yield from self._group_statements(USER_SCOPE, agent_id, USER_GROUPS)

            used_keys = set()
            rows = [self._special_row(special, agent_id, used_keys) for special in self.specials_by_agent.get(index, ())]
            preference_names = {}
            for _row_index in range(base_rows + (1 if index < extra_rows else 0)):
                rows.append(self._filler_row(used_keys, preference_names))
            yield from self._partition_statements(USER_SCOPE, agent_id, rows)

        # Contact-center settings: the corporate favorites, one of them with the demo e-mail.
        cc_id = self.contact_center_id
        yield from self._group_statements(CC_SCOPE, cc_id, CC_GROUPS)
        used_keys = set()
        rows = [self._special_row(special, cc_id, used_keys) for special in self.cc_specials]
        for _filler_index in range(self.cc_filler):
            first, last = self.gen.person()
            key = self._new_key(CORPORATE_FAVORITES, used_keys)
            used_keys.add(key)
            value = _favorite(first, last, [self.gen.phone()], [self.gen.email(first, last)], "Partners")
            value["name"] = key
            rows.append((CORPORATE_FAVORITES, key, json.dumps(value)))
        yield from self._partition_statements(CC_SCOPE, cc_id, rows)

        # The lab agent gets the user groups (empty) so it can read and write its own settings.
        yield from self._group_statements(USER_SCOPE, gws_emulator.LAB_USERS[1].id, USER_GROUPS)

    @staticmethod
    def _groups_manifest():
        groups = {}
        for scope, definitions in ((USER_SCOPE, USER_GROUPS), (CC_SCOPE, CC_GROUPS)):
            for name, (display_name, key_attribute) in definitions.items():
                groups[name] = {"scope": scope, "display_name": display_name, "key_attribute": key_attribute}
        return groups

    def manifest(self, duration):
        return {
            "format": 1,
            "random_seed": self.args.random_seed,
            "rows": self.args.rows,
            "keyspace": self.keyspace,
            "contact_center_id": self.contact_center_id,
            "default_region": DEFAULT_REGION,
            "groups": self._groups_manifest(),
            "lab_users": [{"id": user.id, "userName": user.user_name, "roles": list(user.roles)}
                          for user in gws_emulator.LAB_USERS],
            "subjects": {name: dict(SUBJECTS[name], locations=self.subject_locations[name]) for name in SUBJECTS},
            "look_alikes": self.look_alike_locations,
            "sample_agent_ids": self.agent_ids,
            "totals": {
                "settings": self.counts["settings"],
                "settings_per_group": self.counts["per_group"],
                "settings_per_scope": self.counts["per_scope"],
                "groups": self.counts["groups"],
                "agents": self.agents,
                "users": self.counts["users"] + len(gws_emulator.LAB_USERS),
                "locations_per_subject": {name: len(self.subject_locations[name]) for name in SUBJECTS},
                "look_alikes": len(self.look_alike_locations),
            },
            "seconds": round(duration, 2),
        }


class GuardedIterator:
    """Wrap a generator so that an exception inside it ends the iteration and is kept in `error`.

    execute_concurrent pulls statements from the driver's event loop thread, where an exception
    from the generator would be lost and leave the results iterator waiting forever.
    """

    def __init__(self, iterable):
        self._iterator = iter(iterable)
        self.error = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.error is not None:
            raise StopIteration
        try:
            return next(self._iterator)
        except StopIteration:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc
            raise StopIteration from exc


def write_manifest(path, manifest):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def connect(host, port, keyspace, connect_options=None):
    from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT  # pylint: disable=import-outside-toplevel
    from cassandra.cluster import NoHostAvailable  # pylint: disable=import-outside-toplevel
    from cassandra.policies import WhiteListRoundRobinPolicy  # pylint: disable=import-outside-toplevel

    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy([host]), request_timeout=60)
    cluster = Cluster([host], port=port, connect_timeout=10, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                      **(connect_options or {}))
    try:
        session = cluster.connect()
    except NoHostAvailable as exc:
        cluster.shutdown()
        raise SystemExit("seed: cannot connect to Cassandra at %s:%d: %s; is the lab up (tests/lab/lab.sh status)?"
                         % (host, port, exc)) from exc
    metadata = cluster.metadata.keyspaces.get(keyspace)
    missing = [table for table in ("settings", "settings_groups", "users")
               if metadata is None or table not in metadata.tables]
    if missing:
        cluster.shutdown()
        raise SystemExit("seed: keyspace %s lacks the tables %s; create them with tests/lab/schema.cql "
                         "(tests/lab/lab.sh up does)" % (keyspace, ", ".join(missing)))
    return cluster, session


def run(args):
    from cassandra.concurrent import execute_concurrent  # pylint: disable=import-outside-toplevel

    import lab_tls  # pylint: disable=import-outside-toplevel
    connect_options = lab_tls.cluster_options(args.cassandra_username, args.cassandra_password_file, args.cassandra_ca)
    cluster, session = connect(args.cassandra_host, args.cassandra_port, args.keyspace, connect_options)
    try:
        started = time.monotonic()
        if args.truncate:
            for table in ("settings", "settings_groups", "users"):
                session.execute("TRUNCATE %s.%s" % (args.keyspace, table), timeout=120)
            LOG.info("truncated %s.settings, settings_groups and users", args.keyspace)
        gws_emulator.ensure_lab_users(session, args.keyspace, args.contact_center_id)

        seeder = Seeder(args, session)
        LOG.info("seeding %d settings rows for %d agents (random seed %s)", args.rows, seeder.agents, args.random_seed)
        statements = 0
        next_report = time.monotonic() + 10
        generation = GuardedIterator(seeder.statements())
        results = execute_concurrent(session, generation, concurrency=args.concurrency,
                                     raise_on_first_error=True, results_generator=True)
        for _result in results:
            statements += 1
            if time.monotonic() >= next_report:
                LOG.info("%d settings rows sent so far (%d requests acknowledged)", seeder.counts["settings"], statements)
                next_report = time.monotonic() + 10
        if generation.error is not None:
            raise generation.error
        duration = time.monotonic() - started
    finally:
        cluster.shutdown()

    if seeder.counts["settings"] != args.rows:
        raise SystemExit("seed: wrote %d settings rows but %d were requested" % (seeder.counts["settings"], args.rows))
    manifest = seeder.manifest(duration)
    if args.manifest:
        write_manifest(args.manifest, manifest)
    LOG.info("seeded %d settings rows, %d groups, %d users in %.1f s (%.0f rows/s, %d requests)%s",
             seeder.counts["settings"], seeder.counts["groups"], manifest["totals"]["users"], duration,
             seeder.counts["settings"] / duration if duration else 0.0, statements,
             "; manifest %s" % args.manifest if args.manifest else "")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(description="Seed the gdpr.gws lab with fictional agents and settings.")
    parser.add_argument("--rows", type=int, default=300, help="settings rows to write in total (default: %(default)s)")
    parser.add_argument("--agents", type=int, help="number of agents (default: rows / 40, at least 10)")
    parser.add_argument("--random-seed", type=int, default=42, help="seed of the data generator (default: %(default)s)")
    parser.add_argument("--manifest", help="write the JSON manifest of subject locations to this file")
    parser.add_argument("--cassandra-host", default="127.0.0.1", help="Cassandra contact point (default: %(default)s)")
    parser.add_argument("--cassandra-port", type=int, default=9042, help="CQL port (default: %(default)s)")
    parser.add_argument("--keyspace", default="sipfs", help="keyspace of the lab tables (default: %(default)s)")
    parser.add_argument("--cassandra-username", help="Cassandra role, for the secure lab")
    parser.add_argument("--cassandra-password-file", help="file that contains the password of --cassandra-username")
    parser.add_argument("--cassandra-ca", help="CA certificate (PEM) for TLS to Cassandra; turns client TLS on")
    parser.add_argument("--contact-center-id", default=gws_emulator.CONTACT_CENTER_ID,
                        help="owner id of the contact-center settings (default: %(default)s)")
    parser.add_argument("--no-truncate", dest="truncate", action="store_false",
                        help="keep existing rows instead of truncating settings, settings_groups and users first")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=25,
                        help="settings rows per unlogged batch, one partition per batch (default: %(default)s)")
    parser.add_argument("--corporate-favorites", type=int, default=5,
                        help="contact-center corporate favorites besides the subject's one (default: %(default)s)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="seed: %(message)s", level=logging.INFO, stream=sys.stderr)
    logging.getLogger("cassandra").setLevel(logging.ERROR)
    for name in ("rows", "concurrency", "batch_size"):
        if getattr(args, name) < 1:
            raise SystemExit("seed: --%s must be at least 1" % name.replace("_", "-"))
    if args.agents is not None and args.agents < 1:
        raise SystemExit("seed: --agents must be at least 1")
    if args.corporate_favorites < 0:
        raise SystemExit("seed: --corporate-favorites must not be negative")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
