# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers and fixtures for integration tests against the running lab: real Cassandra and the GWS emulator.

Start the lab first (`make lab-up`); `make test` does it. The tests reseed the lab before each
test that changes data, so they can run in any order. conftest.py registers the fixtures.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / '.build' / 'collections'
CQL_PORT = int(os.environ.get('GDPR_LAB_CQL_PORT', '9042'))
GWS_URL = 'http://127.0.0.1:%s' % os.environ.get('GDPR_LAB_GWS_PORT', '8090')
ADMIN = ('lab-admin', 'lab-admin-password')
KEYSPACE = 'sipfs'
SEED_ROWS = int(os.environ.get('GDPR_TEST_SEED_ROWS', '400'))
LAB_VAULT_PASSWORD = REPO / 'inventories' / 'lab' / 'vault-password-lab-only.txt'

DEMO_EMAIL = 'jane.doe@example.com'
DEMO_PHONE = '+44 20 7946 0958'


def collection_path():
    """Return the ANSIBLE_COLLECTIONS_PATH that makes this checkout the gdpr.gws collection."""
    link = COLLECTIONS / 'ansible_collections' / 'gdpr' / 'gws'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO)
    return str(COLLECTIONS)


def ansible_env(**extra):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collection_path(),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_HOST_KEY_CHECKING='False',
        ANSIBLE_RETRY_FILES_ENABLED='False',
        ANSIBLE_LOCALHOST_WARNING='False',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='False',
    )
    env.update(extra)
    return env


def ansible_playbook(*args, timeout=600, env=None):
    """Run ansible-playbook from the test's Python environment and return the CompletedProcess."""
    command = [str(Path(sys.executable).parent / 'ansible-playbook')] + [str(a) for a in args]
    return subprocess.run(command, cwd=str(REPO), env=env or ansible_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope='session')
def cql():
    """Return a session on the lab's Cassandra, or fail with what to do when the lab is down."""
    from cassandra.cluster import Cluster, NoHostAvailable

    cluster = Cluster(['127.0.0.1'], port=CQL_PORT, connect_timeout=5)
    try:
        session = cluster.connect()
    except NoHostAvailable:
        cluster.shutdown()
        pytest.fail('the lab Cassandra is not answering on 127.0.0.1:%d; start it with `make lab-up`' % CQL_PORT)
    yield session
    cluster.shutdown()


@pytest.fixture(scope='session')
def gws_api():
    """Return a requests session logged in to the GWS emulator as the lab administrator."""
    session = requests.Session()
    session.auth = ADMIN
    try:
        response = session.get(GWS_URL + '/api/v2/me', timeout=10)
    except requests.ConnectionError:
        pytest.fail('the GWS emulator is not answering at %s; start the lab with `make lab-up`' % GWS_URL)
    assert response.status_code == 200, response.text
    return session


@pytest.fixture
def seeded(tmp_path, cql, gws_api):
    """Reseed the lab with the standard data set and return its manifest."""
    manifest = tmp_path / 'manifest.json'
    completed = subprocess.run(
        [sys.executable, str(REPO / 'tests' / 'lab' / 'seed.py'), '--rows', str(SEED_ROWS), '--random-seed', '42',
         '--manifest', str(manifest), '--cassandra-port', str(CQL_PORT)],
        cwd=str(REPO), capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(manifest.read_text())


def settings_fingerprint(session):
    """Return {(scope, owner, group, key): sha256 of value} for every settings row."""
    rows = session.execute('SELECT scope, owner_id, group_name, setting_key, value FROM %s.settings' % KEYSPACE)
    return dict(((r.scope, r.owner_id, r.group_name, r.setting_key),
                 hashlib.sha256((r.value or '').encode('utf-8')).hexdigest()) for r in rows)


def locations_of(manifest, *subject_names, scope=None):
    """Return the set of (scope, owner, group, key) the manifest lists for the given subjects."""
    found = set()
    for name in subject_names:
        for location in manifest['subjects'][name]['locations']:
            if scope is None or location['scope'] == scope:
                found.add((location['scope'], location['owner_id'], location['group'], location['key']))
    return found


def group_keys(gws_api, scope, owner_id, group, key_attribute):
    """Return the keys GWS lists for one settings group."""
    if scope == 'user':
        url = '%s/api/v2/users/%s/settings/%s' % (GWS_URL, owner_id, group)
    else:
        url = '%s/api/v2/settings/%s' % (GWS_URL, group)
    response = gws_api.get(url, timeout=10)
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.text
    return set(s.get(key_attribute) for s in response.json()['settings'])


class ModuleRunner(object):
    """Run a gdpr.gws module through ansible-playbook and return its registered result."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.runs = 0
        self.last = None

    def __call__(self, module_name, check=False, diff=False, verbosity=0, env=None, **module_args):
        self.runs += 1
        result_file = self.tmp_path / ('result-%d.json' % self.runs)
        variables = self.tmp_path / ('vars-%d.json' % self.runs)
        variables.write_text(json.dumps({'module_name': module_name, 'module_args': module_args,
                                         'result_file': str(result_file)}))
        args = ['-i', 'localhost,', '-c', 'local', 'tests/integration/playbooks/run_module.yml', '-e', '@%s' % variables]
        if check:
            args.append('--check')
        if diff:
            args.append('--diff')
        if verbosity:
            args.append('-' + 'v' * verbosity)
        self.last = ansible_playbook(*args, env=env)
        assert self.last.returncode == 0, self.last.stdout[-3000:] + self.last.stderr[-3000:]
        return json.loads(result_file.read_text())


@pytest.fixture
def run_module(tmp_path):
    return ModuleRunner(tmp_path)


def lab_connection():
    """Return the module options that point at the lab."""
    return dict(cassandra_hosts=['127.0.0.1'], cassandra_port=CQL_PORT, cassandra_keyspace=KEYSPACE,
                gws_url=GWS_URL, gws_username=ADMIN[0], gws_password=ADMIN[1])


def search_connection():
    """Return the lab connection options the read-only module accepts."""
    options = lab_connection()
    for name in ('gws_url', 'gws_username', 'gws_password'):
        options.pop(name)
    return options
