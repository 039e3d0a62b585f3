# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test of erasure that reaches the disk: the erased value is in the SSTables before and gone after.

A unique subject is written into one setting and flushed to an SSTable. sstabledump (Cassandra's
SSTableExport, through `lab.sh sstabledump`) shows it there, also after a dry run. The role then erases
it with forget_me_disk_erasure, which runs nodetool flush and garbagecollect on the lab node (the
inventory group cassandra_nodes), and sstabledump no longer finds the value. The tombstone, with the
setting's primary key, is still there, as the evidence report states.
"""

import datetime
import json
import subprocess
import uuid

from lab_helpers import KEYSPACE, LAB_VAULT_PASSWORD, REPO, ansible_playbook

LAB_SCRIPT = REPO / 'tests' / 'lab' / 'lab.sh'
FAVORITES = 'interaction-workspace-personal-favorites'


def lab(*arguments):
    completed = subprocess.run(['bash', str(LAB_SCRIPT)] + list(arguments), cwd=str(REPO), capture_output=True,
                               text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return completed.stdout


def sstables_of_settings():
    return lab('sstabledump', KEYSPACE, 'settings')


def forget_me(tmp_path, variables, *options):
    reports = tmp_path / 'reports'
    path = tmp_path / ('vars-%s.json' % uuid.uuid4().hex[:8])
    path.write_text(json.dumps(dict(variables, forget_me_report_dir=str(reports))))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % path, *options)
    newest = max(reports.glob('*.json'), key=lambda report: report.stat().st_mtime)
    return completed, json.loads(newest.read_text())


def test_erased_value_leaves_data_files(seeded, tmp_path, cql):
    # A user favorites group that exists in GWS, so that the setting can be deleted through it.
    owner = next(location['owner_id'] for location in seeded['subjects']['demo_email']['locations']
                 if location['scope'] == 'user' and location['group'] == FAVORITES)
    marker = 'disk.proof.%s@example.net' % uuid.uuid4().hex[:12]
    key = 'fav-disk-proof-%s' % uuid.uuid4().hex[:8]
    cql.execute('INSERT INTO %s.settings (scope, owner_id, group_name, setting_key, value) VALUES (%%s, %%s, %%s, %%s, '
                '%%s)' % KEYSPACE, ('user', owner, FAVORITES, key,
                                    json.dumps({'name': key, 'emailAddresses': [marker]})))
    lab('nodetool', 'flush', KEYSPACE, 'settings')
    request = {'subjects': [marker], 'cleanup': True, 'forget_me_disk_erasure': True}

    dry, dry_report = forget_me(tmp_path, request, '--check')

    assert dry.returncode == 0, dry.stdout[-3000:]
    assert dry_report['disk_erasure']['performed'] is False
    assert 'Dry run: on localhost, the real run runs nodetool flush and garbagecollect' in dry.stdout
    assert 'for the tables it erases settings in (sipfs.settings)' in dry.stdout
    assert marker in sstables_of_settings()

    real, report = forget_me(tmp_path, request)

    assert real.returncode == 0, real.stdout[-3000:]
    assert cql.execute('SELECT value FROM %s.settings WHERE scope = %%s AND owner_id = %%s AND group_name = %%s AND '
                       'setting_key = %%s' % KEYSPACE, ('user', owner, FAVORITES, key)).one() is None
    dump = sstables_of_settings()
    assert marker not in dump
    # The tombstone stays until gc_grace_seconds have passed, with the primary key in it.
    assert key in dump
    assert '"deletion_info"' in dump

    disk = report['disk_erasure']
    assert disk['performed'] is True
    assert disk['tables'] == ['sipfs.settings']
    assert [(step['step'], step['rc']) for step in disk['steps']] == [('flush', 0), ('garbagecollect', 0)]
    [storage] = report['storage']['tables']
    assert storage['table'] == 'sipfs.settings'
    assert storage['erased'] == 1
    assert storage['gc_grace_seconds'] == 864000
    erased_at = datetime.datetime.strptime(storage['erased_at'], '%Y-%m-%dT%H:%M:%SZ')
    purge_from = datetime.datetime.strptime(storage['tombstones_purgeable_from'], '%Y-%m-%dT%H:%M:%SZ')
    assert purge_from - erased_at == datetime.timedelta(seconds=864000)
    assert marker not in real.stdout + json.dumps(report)
