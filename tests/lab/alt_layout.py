# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's alternative settings layout: keyspace gws_alt, its seed data and a second GWS emulator.

`lab.sh alt-layout up` creates the keyspace of schema_alt.cql in the running lab's Cassandra and seeds
it with a fixed, small data set. It then starts a GWS emulator on its own port that stores settings
through profile_alt.yml, and writes alt-layout.json (port, keyspace, profile and the seed manifest)
into the lab directory. `alt-layout seed` truncates and seeds again, `alt-layout down` stops that emulator; `lab.sh
down` stops it too. The manifest lists where each subject is, so tests can check the data afterwards.
"""

import json
import logging
import os
import subprocess
import sys
import time
import uuid

import cassandra_node
import gws_emulator
from cassandra_node import LabError

LOG = logging.getLogger("lab.alt_layout")

LAB_SOURCE_DIR = os.path.dirname(os.path.abspath(__file__))
SCHEMA_FILE = os.path.join(LAB_SOURCE_DIR, "schema_alt.cql")
PROFILE_FILE = os.path.join(LAB_SOURCE_DIR, "profile_alt.yml")
KEYSPACE = "gws_alt"
TABLES = ("settings_groups", "users", "preference_items", "agent_recents", "interaction_notes")
START_TIMEOUT = 30
STOP_TIMEOUT = 15

CONTACT_CENTER_ID = gws_emulator.CONTACT_CENTER_ID
AGENT_A = "a1f0c3e2d4b5a6978877665544332211"
AGENT_B = "b2e1d4c3b5a6978877665544332211a0"
FAVORITES = "interaction-workspace-personal-favorites"
RECENTS = "interaction-workspace-recents"
CORPORATE = "corporate-favorites"
WORKSPACE = "interaction-workspace"

# Subjects of the alternative layout; fictional, from the example domain and the 555-01xx range.
SUBJECT_EMAIL = "alt.subject@example.org"
SUBJECT_PHONE = "+1 202-555-0177"

# Timeuuids of the notes are fixed, so that the manifest can name the rows.
NOTE_EMAIL = uuid.UUID("6f1c8e2a-9d4b-11ef-8c1a-0242ac120002")
NOTE_ATTACHMENT = uuid.UUID("7a2d9f3b-9d4b-11ef-8c1a-0242ac120002")
NOTE_TAGS = uuid.UUID("8b3eaf4c-9d4b-11ef-8c1a-0242ac120002")
NOTE_CLEAN = uuid.UUID("9c4fb05d-9d4b-11ef-8c1a-0242ac120002")


def _json(value):
    return json.dumps(value, separators=(",", ":"))


# (table, scope, owner, group, key, value, label) of every settings row, and what it must do.
SETTINGS = [
    # Erasable: the subject's e-mail address in a favorite, and the phone number in national US format.
    ("preference_items", "user", AGENT_A, FAVORITES, "fav-alt-1",
     _json({"name": "fav-alt-1", "firstName": "Alt", "lastName": "Subject", "emailAddresses": [SUBJECT_EMAIL]}), None),
    ("preference_items", "user", AGENT_B, FAVORITES, "fav-alt-2",
     _json({"name": "fav-alt-2", "phoneNumbers": ["+1 (202) 555-0177"], "note": "call after 5pm"}), None),
    # Erasable: a recent contact in the blob table, its JSON nested inside a string.
    ("agent_recents", "user", AGENT_A, RECENTS, "rec-alt-1",
     _json({"id": "rec-alt-1", "contact": _json({"tel": "tel:+1-202-555-0177"})}), None),
    # Not erasable: a contact-center setting (corporate favorites).
    ("preference_items", "contact-center", CONTACT_CENTER_ID, CORPORATE, "corp-alt-1",
     _json({"name": "corp-alt-1", "emailAddresses": [SUBJECT_EMAIL.upper()]}), None),
    # Look-alikes that must not match.
    ("preference_items", "user", AGENT_B, FAVORITES, "fav-alt-3",
     _json({"name": "fav-alt-3", "emailAddresses": ["alt.subject@example.org.au", "xalt.subject@example.org"],
            "phoneNumbers": ["+1 202-555-01771"]}), None),
    ("agent_recents", "user", AGENT_B, RECENTS, "rec-alt-2",
     _json({"id": "rec-alt-2", "reference": "ORD-12025550177-9"}), None),
    # Found only by the keyspace scope: the subject is in the label column, which the profile does not map.
    ("preference_items", "user", AGENT_B, WORKSPACE, "layout",
     _json({"name": "layout", "value": "compact"}), "callback requested by %s" % SUBJECT_EMAIL),
]

# (note id, agent, note, attachment, tags) of interaction_notes, a table outside the profile.
NOTES = [
    (NOTE_EMAIL, AGENT_A, "Customer asked to be written to at %s" % SUBJECT_EMAIL, None, None),
    (NOTE_ATTACHMENT, AGENT_B, "see attachment", _json({"callback": SUBJECT_PHONE}).encode("utf-8"), None),
    (NOTE_TAGS, AGENT_B, "tagged", None, {"vip", SUBJECT_EMAIL}),
    (NOTE_CLEAN, AGENT_A, "no personal data here", b"\xff\xfe not UTF-8", {"vip"}),
]

GROUPS = [
    ("user", AGENT_A, FAVORITES, "name"), ("user", AGENT_B, FAVORITES, "name"),
    ("user", AGENT_A, RECENTS, "id"), ("user", AGENT_B, RECENTS, "id"),
    ("user", AGENT_B, WORKSPACE, "name"), ("contact-center", CONTACT_CENTER_ID, CORPORATE, "name"),
]


def manifest():
    """Return where the seeded subjects are: settings to erase, settings found but not erasable, other rows."""
    def location(row):
        return {"table": row[0], "scope": row[1], "owner_id": row[2], "group": row[3], "key": row[4]}

    return {
        "keyspace": KEYSPACE,
        "subjects": {"email": SUBJECT_EMAIL, "phone": SUBJECT_PHONE, "default_region": "US"},
        "erasable": [location(row) for row in SETTINGS[:3]],
        "not_erasable": [location(SETTINGS[3])],
        "must_not_match": [location(row) for row in SETTINGS[4:6]],
        "unmapped_rows": [
            {"table": "preference_items", "primary_key": {"person_id": AGENT_B, "owner_kind": "user",
                                                          "section": WORKSPACE, "item_id": "layout"},
             "columns": ["label"]},
            {"table": "interaction_notes", "primary_key": {"agent_id": AGENT_A, "note_id": str(NOTE_EMAIL)},
             "columns": ["note"]},
            {"table": "interaction_notes", "primary_key": {"agent_id": AGENT_B, "note_id": str(NOTE_ATTACHMENT)},
             "columns": ["attachment"]},
            {"table": "interaction_notes", "primary_key": {"agent_id": AGENT_B, "note_id": str(NOTE_TAGS)},
             "columns": ["tags"]},
        ],
    }


def apply_schema(session, statements):
    for statement in statements:
        session.execute(statement, timeout=60)


def seed(session):
    """Empty the tables of gws_alt and insert the lab users, two agents and the fixed data set."""
    for table in TABLES:
        session.execute("TRUNCATE %s.%s" % (KEYSPACE, table), timeout=60)
    gws_emulator.ensure_lab_users(session, KEYSPACE)
    insert_user = session.prepare("INSERT INTO %s.users (id, user_name, first_name, last_name, roles, enabled, "
                                  "contact_center_id) VALUES (?, ?, ?, ?, ?, ?, ?)" % KEYSPACE)
    for user_id, name in ((AGENT_A, "alt-agent-a"), (AGENT_B, "alt-agent-b")):
        session.execute(insert_user, (user_id, name, "Alt", name[-1].upper(), {gws_emulator.AGENT_ROLE}, True,
                                      CONTACT_CENTER_ID))
    insert_group = session.prepare("INSERT INTO %s.settings_groups (scope, owner_id, group_name, display_name, "
                                   "key_attribute) VALUES (?, ?, ?, ?, ?)" % KEYSPACE)
    for scope, owner_id, group, key_attribute in GROUPS:
        session.execute(insert_group, (scope, owner_id, group, group, key_attribute))

    insert_item = session.prepare("INSERT INTO %s.preference_items (person_id, owner_kind, section, item_id, payload, "
                                  "label, modified) VALUES (?, ?, ?, ?, ?, ?, toTimestamp(now()))" % KEYSPACE)
    insert_recent = session.prepare("INSERT INTO %s.agent_recents (agent_id, list_name, entry_id, body) "
                                    "VALUES (?, ?, ?, ?)" % KEYSPACE)
    for table, scope, owner_id, group, key, value, label in SETTINGS:
        if table == "preference_items":
            session.execute(insert_item, (owner_id, scope, group, key, value, label))
        else:
            session.execute(insert_recent, (owner_id, group, key, value.encode("utf-8")))

    insert_note = session.prepare("INSERT INTO %s.interaction_notes (agent_id, note_id, note, attachment, tags) "
                                  "VALUES (?, ?, ?, ?, ?)" % KEYSPACE)
    for note_id, agent_id, note, attachment, tags in NOTES:
        session.execute(insert_note, (agent_id, note_id, note, attachment, tags))
    LOG.info("seeded %s: %d settings, %d notes", KEYSPACE, len(SETTINGS), len(NOTES))


# ---------------------------------------------------------------------------------------------
# The emulator of the alternative layout.
# ---------------------------------------------------------------------------------------------

def emulator_dir(config):
    return config.lab_dir / "emulator-alt"


def state_file(config):
    return config.lab_dir / "alt-layout.json"


def _markers(config):
    return [os.path.basename(gws_emulator.__file__), str(emulator_dir(config) / "access.log")]


def alt_gws_port(config, state):
    value = os.environ.get("GDPR_LAB_ALT_GWS_PORT")
    if value:
        try:
            return int(value)
        except ValueError as exc:
            raise LabError("GDPR_LAB_ALT_GWS_PORT must be a TCP port number, got %r" % value) from exc
    return state["gws_port"] + 1


def start_emulator(config, cql_port, port, responds):
    directory = emulator_dir(config)
    directory.mkdir(parents=True, exist_ok=True)
    log_file = directory / "emulator.log"
    command = [
        sys.executable, gws_emulator.__file__, "--host", "127.0.0.1", "--port", str(port),
        "--cassandra-host", "127.0.0.1", "--cassandra-port", str(cql_port), "--keyspace", KEYSPACE,
        "--settings-profile", PROFILE_FILE,
        "--access-log", str(directory / "access.log"), "--log-file", str(log_file),
    ]
    LOG.info("starting the GWS emulator of the alternative layout on http://127.0.0.1:%d", port)
    with open(directory / "stdout.log", "ab") as stdout:
        process = subprocess.Popen(command, cwd=LAB_SOURCE_DIR, stdin=subprocess.DEVNULL, stdout=stdout,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    (directory / "emulator.pid").write_text("%d\n" % process.pid, encoding="utf-8")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabError("the GWS emulator of the alternative layout exited with code %s during start-up; see %s\n%s"
                           % (process.returncode, log_file, cassandra_node.tail_file(directory / "stdout.log", 20)))
        if responds(port):
            return process.pid
        time.sleep(0.3)
    raise LabError("the GWS emulator of the alternative layout did not respond within %d s; see %s"
                   % (START_TIMEOUT, log_file))


def stop_emulator(config):
    """Stop the emulator of the alternative layout; return how it ended, or 'not running'."""
    pid_file = emulator_dir(config) / "emulator.pid"
    pid = cassandra_node.running_pid(pid_file, _markers(config))
    result = "not running"
    if pid is not None:
        LOG.info("stopping the GWS emulator of the alternative layout (pid %d)", pid)
        result = cassandra_node.stop_process(pid, "GWS emulator (alternative layout)", STOP_TIMEOUT)
    for path in (pid_file, state_file(config)):
        if path.exists():
            path.unlink()
    return result


def command(config, args, lab):
    """Run `lab.sh alt-layout up|seed|down`; lab is the lab module, for its state and CQL helpers."""
    action = args.arguments[0] if args.arguments else ""
    if action not in ("up", "seed", "down") or len(args.arguments) > 1:
        raise LabError("alt-layout takes one of up, seed, down")
    if action == "down":
        print("alternative layout: GWS emulator %s" % stop_emulator(config))
        return 0

    state = lab.require_state(config)
    if state.get("secure"):
        raise LabError("alt-layout runs on the plain lab only")
    cluster, session = lab.connect(state["cql_port"])
    try:
        apply_schema(session, lab.schema_statements(open(SCHEMA_FILE, encoding="utf-8").read()))
        seed(session)
    finally:
        cluster.shutdown()

    port = alt_gws_port(config, state)
    if action == "up" and cassandra_node.running_pid(emulator_dir(config) / "emulator.pid", _markers(config)) is None:
        cassandra_node.check_ports_free([("GWS emulator of the alternative layout", port, "GDPR_LAB_ALT_GWS_PORT")])
        start_emulator(config, state["cql_port"], port, lab.emulator_responds)
    alt_state = {"gws_port": port, "keyspace": KEYSPACE, "profile": PROFILE_FILE, "manifest": manifest()}
    state_file(config).write_text(json.dumps(alt_state, indent=2) + "\n", encoding="utf-8")
    print("alternative layout: keyspace %s seeded, GWS emulator http://127.0.0.1:%d, profile %s, state %s"
          % (KEYSPACE, port, PROFILE_FILE, state_file(config)))
    return 0
