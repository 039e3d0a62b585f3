# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the reliability, TLS and leak tests: GWS fault switches, a Cassandra proxy, the secure lab.

- gws_faults switches faults of the running GWS emulator through its lab control API
  (PUT /lab/faults) and turns them all off after the test.
- access_log reads the emulator's access log from a mark, to count the requests of one run.
- cassandra_proxy puts tests/lab/tcp_proxy.py between a module and the lab's Cassandra.
- secure_lab starts a second lab with `lab.sh up --secure` (Cassandra with PasswordAuthenticator
  and client TLS, the emulator over HTTPS) on the GDPR_LAB_TLS_* ports, and stops it at the end
  of the session unless GDPR_LAB_TLS_KEEP=1. Its seeded() reseeds it after a test changed data.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lab_helpers import CQL_PORT, GWS_URL, KEYSPACE, REPO, SEED_ROWS

LAB_DIR = Path(os.environ.get('GDPR_LAB_DIR') or REPO / '.lab')
LAB_SCRIPT = REPO / 'tests' / 'lab' / 'lab.sh'
SECURE_LAB_DIR = Path(os.environ.get('GDPR_LAB_TLS_DIR') or LAB_DIR / 'secure-lab')
SECURE_PORTS = {
    'GDPR_LAB_CQL_PORT': os.environ.get('GDPR_LAB_TLS_CQL_PORT', '9142'),
    'GDPR_LAB_STORAGE_PORT': os.environ.get('GDPR_LAB_TLS_STORAGE_PORT', '7100'),
    'GDPR_LAB_JMX_PORT': os.environ.get('GDPR_LAB_TLS_JMX_PORT', '7299'),
    'GDPR_LAB_GWS_PORT': os.environ.get('GDPR_LAB_TLS_GWS_PORT', '8453'),
}

sys.path.insert(0, str(REPO / 'tests' / 'lab'))
import lab_tls  # noqa: E402  # pylint: disable=wrong-import-position
import tcp_proxy  # noqa: E402  # pylint: disable=wrong-import-position


class GwsFaults(object):
    """Switch the faults of one GWS emulator through its lab control API."""

    def __init__(self, base_url, verify=True):
        self.url = base_url + '/lab/faults'
        self.base_url = base_url
        self.verify = verify

    def set(self, *rules, **rates):
        """Replace the faults: rules are FaultRule dicts, rates are latency_ms and the *_rate fields."""
        response = requests.put(self.url, json=dict(rates, rules=list(rules)), timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self):
        response = requests.get(self.url, timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text
        return response.json()

    def fired(self):
        """Return how often each rule fired, in rule order."""
        return [rule['fired'] for rule in self.state()['rules']]

    def clear(self):
        response = requests.delete(self.url, timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text

    def issued_secrets(self):
        """Return every CSRF token and JSESSIONID value the emulator has handed out."""
        response = requests.get(self.base_url + '/lab/tokens', timeout=10, verify=self.verify)
        assert response.status_code == 200, response.text
        return response.json()['csrfTokens'] + response.json()['sessionIds']


@pytest.fixture
def gws_faults():
    faults = GwsFaults(GWS_URL)
    try:
        faults.clear()
    except requests.ConnectionError:
        pytest.fail('the GWS emulator is not answering at %s; start the lab with `make lab-up`' % GWS_URL)
    yield faults
    faults.clear()


class AccessLog(object):
    """The emulator's access log: one line per request with method, path and status, read from a mark."""

    def __init__(self, path):
        self.path = Path(path)
        self.start = self._size()

    def _size(self):
        return self.path.stat().st_size if self.path.exists() else 0

    def mark(self):
        self.start = self._size()

    def lines(self):
        with open(self.path, 'rb') as handle:
            handle.seek(self.start)
            return handle.read().decode('utf-8', errors='replace').splitlines()

    def requests(self, method=None, status=None):
        """Return the (method, path, status) of each GWS API request since the mark.

        Requests to the lab control API (/lab/...) are left out because they are the test's own.
        The emulator writes each line after its response, so a fault switch made just before the
        mark can show up after it.
        """
        found = []
        for line in self.lines():
            try:
                request = line.split('"')[1]
                status_text = line.split('"')[2].split()[0]
            except IndexError:
                continue
            request_method, _space, path = request.partition(' ')
            if path.startswith('/lab/'):
                continue
            if method and request_method != method:
                continue
            if status is not None and status_text != str(status):
                continue
            found.append((request_method, path, status_text))
        return found


@pytest.fixture
def access_log():
    return AccessLog(LAB_DIR / 'emulator' / 'access.log')


@pytest.fixture
def cassandra_proxy():
    """Return a running TcpProxy in front of the lab's Cassandra; it is stopped after the test."""
    proxy = tcp_proxy.TcpProxy(CQL_PORT).start()
    yield proxy
    proxy.stop()


def full_fingerprint(session, keyspace=KEYSPACE):
    """Return {(table, primary key): sha256 of every column and of the write time} for the lab tables.

    The write time changes when a row is written again with the same value, so equal fingerprints
    mean the row was not touched at all.
    """
    fingerprint = {}
    queries = {
        'settings': ('SELECT scope, owner_id, group_name, setting_key, value, writetime(value) AS written '
                     'FROM %s.settings' % keyspace, 4),
        'settings_groups': ('SELECT scope, owner_id, group_name, display_name, key_attribute, '
                            'writetime(display_name) AS written FROM %s.settings_groups' % keyspace, 3),
        'users': ('SELECT id, user_name, password, first_name, last_name, email_address, roles, enabled, '
                  'contact_center_id, writetime(user_name) AS written FROM %s.users' % keyspace, 1),
    }
    for table, (query, key_columns) in queries.items():
        for row in session.execute(query, timeout=60):
            values = tuple(row)
            digest = hashlib.sha256(repr(values).encode('utf-8')).hexdigest()
            fingerprint[(table,) + values[:key_columns]] = digest
    return fingerprint


class SecureLab(object):
    """The running secure lab: ports, CA, Cassandra roles and a session as the read-only role."""

    def __init__(self, lab_dir, environment):
        self.lab_dir = Path(lab_dir)
        self.environment = environment
        self.cql_port = int(environment['GDPR_LAB_CQL_PORT'])
        self.gws_port = int(environment['GDPR_LAB_GWS_PORT'])
        self.gws_url = 'https://127.0.0.1:%d' % self.gws_port
        self.files = lab_tls.SecureFiles(self.lab_dir)
        self.credentials = self.files.read_credentials()
        self.reader = (lab_tls.READER_ROLE, self.credentials[lab_tls.READER_ROLE])
        self.manifest_file = self.lab_dir / 'seed-manifest.json'
        self.access_log = AccessLog(self.lab_dir / 'emulator' / 'access.log')
        self.faults = GwsFaults(self.gws_url, verify=str(self.files.ca))
        self.manifest = None
        # True after a test erased data, so that the next test that needs the seed data reseeds.
        self.dirty = True

    @property
    def ca(self):
        return str(self.files.ca)

    def lab(self, *arguments, timeout=300):
        return subprocess.run(['bash', str(LAB_SCRIPT)] + list(arguments), cwd=str(REPO), env=self.environment,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def seeded(self):
        """Return the seed manifest, reseeding the secure lab first when a test has changed its data."""
        if self.dirty:
            completed = self.lab('seed', '--rows', str(SEED_ROWS), '--random-seed', '42')
            assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
            self.manifest = json.loads(self.manifest_file.read_text())
            self.dirty = False
        return self.manifest

    def session(self):
        """Return (cluster, session) as the lab's GWS role, which may read every lab table."""
        from cassandra.cluster import Cluster  # pylint: disable=import-outside-toplevel

        options = lab_tls.cluster_options(lab_tls.GWS_ROLE, password=self.credentials[lab_tls.GWS_ROLE],
                                          ca_file=self.files.ca)
        cluster = Cluster(['127.0.0.1'], port=self.cql_port, connect_timeout=10, **options)
        return cluster, cluster.connect()

    def connection(self):
        """Return the module options for the secure lab: Cassandra TLS and authentication, GWS over HTTPS."""
        return dict(cassandra_hosts=['127.0.0.1'], cassandra_port=self.cql_port, cassandra_keyspace=KEYSPACE,
                    cassandra_username=self.reader[0], cassandra_password=self.reader[1], cassandra_ssl=True,
                    cassandra_ca_path=self.ca, gws_url=self.gws_url, gws_username='lab-admin',
                    gws_password='lab-admin-password', ca_path=self.ca)

    def search_connection(self):
        options = self.connection()
        for name in ('gws_url', 'gws_username', 'gws_password', 'ca_path'):
            options.pop(name)
        return options


@pytest.fixture(scope='session')
def secure_lab():
    """Start the secure lab once per session (about 25 s) and stop it at the end."""
    environment = dict(os.environ, GDPR_LAB_DIR=str(SECURE_LAB_DIR), GDPR_LAB_HEAP='512M', **SECURE_PORTS)
    started = time.monotonic()
    completed = subprocess.run(['bash', str(LAB_SCRIPT), 'up', '--secure'], cwd=str(REPO), env=environment,
                               capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0:
        pytest.fail('the secure lab did not start (lab.sh up --secure in %s):\n%s'
                    % (SECURE_LAB_DIR, (completed.stdout + completed.stderr)[-3000:]))
    lab = SecureLab(SECURE_LAB_DIR, environment)
    lab.startup_seconds = time.monotonic() - started
    lab.faults.clear()
    yield lab
    if os.environ.get('GDPR_LAB_TLS_KEEP') != '1':
        lab.lab('down')
