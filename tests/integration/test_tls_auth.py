# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of TLS and authentication on the secure lab (fixture secure_lab).

The secure lab runs Cassandra with PasswordAuthenticator and client TLS, and the GWS emulator
over HTTPS, with certificates for localhost and 127.0.0.1 from a CA that the lab generates.
The modules connect as the read-only role gdpr_reader. To test the name check, a small TLS
listener (fixture impostor) serves a certificate for another name, signed by the same CA.
A second, unrelated CA (fixture other_ca) tests the CA check.
"""

import socket
import ssl
import threading

import pytest

from fault_helpers import full_fingerprint, lab_tls
from lab_helpers import DEMO_EMAIL, DEMO_PHONE, locations_of

DEMO = [DEMO_EMAIL, DEMO_PHONE]


@pytest.fixture
def secure_fingerprint(secure_lab):
    """Return a function that fingerprints every row of the secure lab's tables."""
    cluster, session = secure_lab.session()
    yield lambda: full_fingerprint(session)
    cluster.shutdown()


@pytest.fixture
def other_ca(tmp_path):
    """Return the path of a CA certificate that signed nothing in the lab."""
    _key, certificate = lab_tls.make_ca('not the lab CA')
    path = tmp_path / 'other-ca.pem'
    path.write_bytes(lab_tls.pem_of_certificate(certificate))
    return str(path)


class TlsImpostor(object):
    """A TLS listener on 127.0.0.1 whose certificate, from the lab CA, names only wrong-host.invalid."""

    def __init__(self, secure_lab, directory):
        ca_key, ca_certificate = lab_tls.load_ca(secure_lab.files)
        key, certificate = lab_tls.make_server_certificate(ca_key, ca_certificate, dns_names=('wrong-host.invalid',),
                                                           ip_addresses=())
        certificate_path, key_path = lab_tls.write_certificate_pair(directory, 'impostor', key, certificate)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(certificate_path), str(key_path))
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.handshakes = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.handshakes += 1
            connection.settimeout(5)
            try:
                with self.context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass
            finally:
                connection.close()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=2)
        self.listener.close()


@pytest.fixture
def impostor(secure_lab, tmp_path):
    server = TlsImpostor(secure_lab, tmp_path)
    yield server
    server.stop()


def test_search_over_tls_with_lab_ca(secure_lab, run_module):
    manifest = secure_lab.seeded()

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', reveal_pii=True,
                        **secure_lab.search_connection())

    assert result['failed'] is False, result['msg']
    assert result['scan']['complete'] is True
    found = set((m['scope'], m['owner_id'], m['group'], m['key']) for m in result['matches'])
    assert found == locations_of(manifest, 'demo_email', 'demo_phone')
    assert result['counts']['rows_scanned'] == manifest['totals']['settings']


def test_erase_over_tls_and_https(secure_lab, run_module, secure_fingerprint):
    manifest = secure_lab.seeded()
    before = secure_fingerprint()
    expected = set(('settings',) + row for row in locations_of(manifest, 'demo_email', 'demo_phone', scope='user'))

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **secure_lab.connection())
    secure_lab.dirty = True

    assert result['failed'] is False, result['msg']
    assert result['verified'] is True
    assert len(result['deleted']) == len(expected)
    after = secure_fingerprint()
    assert set(before) - set(after) == expected
    assert all(after[row] == before[row] for row in after)


def test_cassandra_wrong_ca_fails(secure_lab, run_module, other_ca, secure_fingerprint):
    before = secure_fingerprint()
    options = secure_lab.connection()
    options['cassandra_ca_path'] = other_ca

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'cannot connect to Cassandra at 127.0.0.1 (port %d)' % secure_lab.cql_port in result['msg']
    assert 'TLS error' in result['msg']
    assert 'certificate verify failed' in result['msg']
    assert secure_fingerprint() == before


def test_cassandra_wrong_host_name_fails(secure_lab, run_module, impostor):
    options = secure_lab.search_connection()
    options.update(cassandra_port=impostor.port, cassandra_connect_timeout=5)

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert impostor.handshakes >= 1
    assert 'TLS error' in result['msg']
    assert 'IP address mismatch' in result['msg']


def test_cassandra_unchecked_certificate_warns(secure_lab, run_module):
    options = secure_lab.search_connection()
    options.pop('cassandra_ca_path')
    options['cassandra_validate_certs'] = False

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is False, result['msg']
    assert result['scan']['complete'] is True
    assert 'cassandra_validate_certs is false' in run_module.last.stdout + run_module.last.stderr


def test_cassandra_system_cas_reject_lab_ca(secure_lab, run_module):
    options = secure_lab.search_connection()
    options.pop('cassandra_ca_path')

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'certificate verify failed' in result['msg']


@pytest.mark.parametrize('username, password, message', [
    ('gdpr_reader', 'not-the-password', 'authentication failed'),
    ('no_such_role', 'not-the-password', 'authentication failed'),
    (None, None, 'requires authentication'),
])
def test_cassandra_credentials_checked(secure_lab, run_module, secure_fingerprint, username, password, message):
    before = secure_fingerprint()
    options = secure_lab.connection()
    options.pop('cassandra_username')
    options.pop('cassandra_password')
    if username:
        options.update(cassandra_username=username, cassandra_password=password)

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert message in result['msg']
    assert '127.0.0.1' in result['msg']
    assert 'not-the-password' not in run_module.last.stdout + run_module.last.stderr
    assert secure_fingerprint() == before


def test_cassandra_plain_connection_to_tls_port_fails(secure_lab, run_module):
    options = secure_lab.search_connection()
    options.pop('cassandra_ca_path')
    options.update(cassandra_ssl=False, cassandra_connect_timeout=3)

    result = run_module('personal_data_info', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'cannot connect to Cassandra at 127.0.0.1 (port %d)' % secure_lab.cql_port in result['msg']
    assert 'TLS' in result['msg']


@pytest.mark.parametrize('ca_path', ['other', None])
def test_gws_untrusted_certificate_fails(secure_lab, run_module, other_ca, secure_fingerprint, ca_path):
    before = secure_fingerprint()
    options = secure_lab.connection()
    options['ca_path'] = other_ca if ca_path == 'other' else None
    options = dict((name, value) for name, value in options.items() if value is not None)

    result = run_module('personal_data', subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert 'Cannot log in to GWS, nothing was deleted' in result['msg']
    assert 'TLS error talking to GWS' in result['msg']
    assert 'certificate verify failed' in result['msg']
    assert secure_fingerprint() == before


def test_gws_wrong_host_name_fails(secure_lab, run_module, impostor):
    options = secure_lab.connection()
    options['gws_url'] = 'https://127.0.0.1:%d' % impostor.port

    result = run_module('personal_data', check=True, subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is True
    assert impostor.handshakes >= 1
    assert 'TLS error talking to GWS' in result['msg']
    assert 'IP address mismatch' in result['msg']


def test_gws_unchecked_certificate_warns(secure_lab, run_module):
    secure_lab.seeded()
    options = secure_lab.connection()
    options.pop('ca_path')
    options['validate_certs'] = False

    result = run_module('personal_data', check=True, subjects=DEMO, default_region='GB', **options)

    assert result['failed'] is False, result['msg']
    assert result['changed'] is True
    assert 'validate_certs is false' in run_module.last.stdout + run_module.last.stderr
