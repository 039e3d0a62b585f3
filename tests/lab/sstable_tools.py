# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline view of the lab node's data files: `lab.sh sstabledump KEYSPACE TABLE`.

The lab runs Cassandra from the cassandra-all jars, which have no tools/bin scripts, so sstabledump
is run as its class, org.apache.cassandra.tools.SSTableExport, on the node's classpath. It prints each
live SSTable of the table (the *-Data.db files of the table directory, not snapshots or backups) as
JSON, decompressed, with tombstones marked by deletion_info. Cassandra's documentation requires a
stopped node. On the lab node it works while the node runs, but an SSTable that a compaction removes
during the dump makes that one dump fail. Run `lab.sh nodetool flush KEYSPACE TABLE` first to see data
that is still in the memtable.
"""

import re
import subprocess
import sys

import cassandra_node
from cassandra_node import LabError

SSTABLE_EXPORT_CLASS = "org.apache.cassandra.tools.SSTableExport"
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,48}$")


def data_files(settings, keyspace, table):
    """Return the live Data.db files of a table, oldest generation first by name."""
    table_dirs = sorted((settings.data_dir / "data" / keyspace).glob("%s-*" % table))
    return sorted(path for directory in table_dirs for path in directory.glob("*-Data.db"))


def sstabledump_command(settings, distribution, data_file):
    return ([settings.java, "-Xmx256m", "-Dcassandra.storagedir=%s" % settings.data_dir,
             "-Dlogback.configurationFile=%s" % (settings.conf_dir / "logback-tools.xml")]
            + list(cassandra_node.JDK17_MODULE_FLAGS)
            + ["-cp", distribution.classpath(settings.conf_dir), SSTABLE_EXPORT_CLASS, str(data_file)])


def command(config, args, lab):
    """Print every live SSTable of KEYSPACE.TABLE as JSON; exit status 1 when a dump fails."""
    if len(args.arguments) != 2 or not all(_IDENTIFIER.match(name) for name in args.arguments):
        raise LabError("sstabledump takes a keyspace and a table name, for example: sstabledump sipfs settings")
    keyspace, table = args.arguments
    state = lab.require_state(config)
    settings = lab.node_settings(config, state)
    distribution = cassandra_node.Distribution.from_dict(state["distribution"])
    files = data_files(settings, keyspace, table)
    if not files:
        print("sstabledump: %s.%s has no SSTable on disk (flush it first with nodetool flush %s %s)"
              % (keyspace, table, keyspace, table), file=sys.stderr)
        return 0
    status = 0
    for data_file in files:
        print("sstabledump: %s" % data_file, file=sys.stderr)
        sys.stdout.flush()
        completed = subprocess.run(sstabledump_command(settings, distribution, data_file), check=False)
        if completed.returncode != 0:
            print("sstabledump: dump of %s failed with exit status %d" % (data_file, completed.returncode),
                  file=sys.stderr)
            status = 1
    return status
