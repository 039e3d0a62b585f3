# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings storage of the GWS emulator in the tables and columns that a settings profile names.

With `gws_emulator.py --settings-profile FILE` the emulator keeps settings in the profile's tables,
for example in the lab's alternative layout (schema_alt.cql, profile_alt.yml), so that the collection
is tested end to end against a layout other than its default. Users and settings groups stay in the
keyspace's `users` and `settings_groups` tables, as in schema.cql.

Each profile table must have the owner, group and (when present) scope columns as its whole
partition key, and the key column as its clustering column, so that the emulator can address one
group and one setting by primary key.
"""

import yaml

# The scopes as gws_emulator names them. This module does not import gws_emulator: run as a script,
# the emulator is __main__, and a second copy of it would bring classes (ApiError) that its handlers
# do not catch.
USER_SCOPE = "user"
CONTACT_CENTER_SCOPE = "contact-center"

# Tables of the emulator itself, present in every layout.
EMULATOR_TABLES = ("settings_groups", "users")


def load_profile_file(path):
    """Read a settings profile (YAML or JSON) and return it; raise SystemExit naming the file when invalid."""
    try:
        with open(path, encoding="utf-8") as handle:
            profile = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit("gws_emulator: cannot read the settings profile %s: %s" % (path, exc)) from exc
    if not isinstance(profile, dict) or not isinstance(profile.get("tables"), list) or not profile["tables"]:
        raise SystemExit("gws_emulator: the settings profile %s has no list of tables" % path)
    for table in profile["tables"]:
        if not isinstance(table, dict) or not table.get("name"):
            raise SystemExit("gws_emulator: every table of the settings profile %s needs a name" % path)
    return profile


def required_tables(profile):
    return EMULATOR_TABLES + tuple(table["name"] for table in profile["tables"])


class ProfileTable:
    """Prepared statements on one profile table for one scope."""

    def __init__(self, session, keyspace, table):
        self.name = table["name"]
        self.fixed_scope = table.get("scope")
        self.scope_column = table.get("scope_column")
        metadata = session.cluster.metadata.keyspaces[keyspace].tables[self.name]
        self.value_is_blob = str(metadata.columns[table["value_column"]].cql_type) == "blob"

        # Columns that address a group: owner, group and the scope when the table stores it.
        group_columns = [table["owner_column"], table["group_column"]]
        if self.scope_column:
            group_columns.append(self.scope_column)
        where_group = " AND ".join('"%s" = ?' % column for column in group_columns)
        where_setting = '%s AND "%s" = ?' % (where_group, table["key_column"])
        name = '"%s"."%s"' % (keyspace, self.name)
        key, value = table["key_column"], table["value_column"]

        self.select = session.prepare('SELECT "%s", "%s" FROM %s WHERE %s' % (key, value, name, where_group))
        self.insert = session.prepare('INSERT INTO %s (%s, "%s", "%s") VALUES (%s) IF NOT EXISTS' % (
            name, ", ".join('"%s"' % column for column in group_columns), key, value,
            ", ".join("?" * (len(group_columns) + 2))))
        self.update = session.prepare('UPDATE %s SET "%s" = ? WHERE %s IF EXISTS' % (name, value, where_setting))
        self.delete = session.prepare("DELETE FROM %s WHERE %s IF EXISTS" % (name, where_setting))
        self.delete_group = session.prepare("DELETE FROM %s WHERE %s" % (name, where_group))

    def holds(self, scope):
        return self.scope_column is not None or self.fixed_scope == scope

    def group_values(self, scope, owner_id, group_name):
        values = [owner_id, group_name]
        if self.scope_column:
            values.append(scope)
        return values

    def encode(self, value):
        return value.encode("utf-8") if self.value_is_blob else value

    @staticmethod
    def decode(value):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", "replace")
        return value


class ProfileSettings:
    """Settings methods of a CassandraStore whose settings live in the tables of a settings profile.

    New settings go to the first table of their scope. Reads, updates and deletes look in every
    table of the scope, so rows that were written there directly are served too.
    """

    def __init__(self, session, keyspace, profile, contact_center_id):
        self._profile = profile
        super().__init__(session, keyspace, contact_center_id)

    def _prepare_settings_statements(self, prepare):
        self._tables = [ProfileTable(self.session, self.keyspace, table) for table in self._profile["tables"]]
        for scope in (USER_SCOPE, CONTACT_CENTER_SCOPE):
            if not any(table.holds(scope) for table in self._tables):
                raise SystemExit("gws_emulator: no table of the settings profile contains %s settings" % scope)

    def _tables_of(self, scope):
        return [table for table in self._tables if table.holds(scope)]

    def delete_group(self, scope, owner_id, group_name):
        for table in self._tables_of(scope):
            self.session.execute(table.delete_group, table.group_values(scope, owner_id, group_name))
        self.session.execute(self._delete_group, (scope, owner_id, group_name))

    def list_settings(self, scope, owner_id, group_name):
        settings = []
        for table in self._tables_of(scope):
            rows = self.session.execute(table.select, table.group_values(scope, owner_id, group_name))
            settings.extend((row[0], table.decode(row[1])) for row in rows)
        return settings

    def create_setting(self, scope, owner_id, group_name, key, value):
        if any(existing == key for existing, _value in self.list_settings(scope, owner_id, group_name)):
            return False
        table = self._tables_of(scope)[0]
        values = table.group_values(scope, owner_id, group_name) + [key, table.encode(value)]
        return self.session.execute(table.insert, values).was_applied

    def update_setting(self, scope, owner_id, group_name, key, value):
        for table in self._tables_of(scope):
            values = [table.encode(value)] + table.group_values(scope, owner_id, group_name) + [key]
            if self.session.execute(table.update, values).was_applied:
                return True
        return False

    def delete_setting(self, scope, owner_id, group_name, key):
        for table in self._tables_of(scope):
            values = table.group_values(scope, owner_id, group_name) + [key]
            if self.session.execute(table.delete, values).was_applied:
                return True
        return False


def build_store(base_class, session, keyspace, profile, contact_center_id):
    """Return a store of base_class (the emulator's CassandraStore) that keeps settings in the profile's tables."""

    class ProfileStore(ProfileSettings, base_class):
        pass

    return ProfileStore(session, keyspace, profile, contact_center_id)
