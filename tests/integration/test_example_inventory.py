# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of inventories/example: its layout, its placeholder vaults, and its README walk-through.

The walk-through test follows inventories/example/README.md on a copy of the inventory: it puts the
lab credentials into the staging vault, encrypts it with ansible-vault, and runs the playbook with
--limit staging in check mode, then for real. Only the host's connection and the staging addresses are
overridden, so that the run reaches the lab instead of the example hosts.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from lab_helpers import (ADMIN, CQL_PORT, DEMO_EMAIL, DEMO_PHONE, GWS_URL, REPO, ansible_env, ansible_playbook,
                         locations_of, settings_fingerprint)

EXAMPLE = REPO / 'inventories' / 'example'
ENVIRONMENTS = ('staging', 'production')
VAULT_KEYS = {'vault_cassandra_username', 'vault_cassandra_password', 'vault_gws_username', 'vault_gws_password',
              'vault_gdpr_hash_salt', 'vault_gws_headers'}


def ansible_tool(name, *args, cwd=REPO):
    command = [str(Path(sys.executable).parent / name)] + [str(arg) for arg in args]
    completed = subprocess.run(command, cwd=str(cwd), env=ansible_env(), capture_output=True, text=True,
                               timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return completed.stdout


def test_each_environment_is_a_runner_group():
    inventory = json.loads(ansible_tool('ansible-inventory', '-i', EXAMPLE, '--list'))

    assert sorted(inventory['gdpr_runners']['children']) == sorted(ENVIRONMENTS)
    urls = set()
    for environment in ENVIRONMENTS:
        hosts = inventory[environment]['hosts']
        assert len(hosts) == 1
        variables = inventory['_meta']['hostvars'][hosts[0]]
        assert variables['forget_me_gws_url'].startswith('https://')
        urls.add(variables['forget_me_gws_url'])
        assert variables['forget_me_report_dir'].endswith('/' + environment)
        assert variables['forget_me_gws_password'] == '{{ vault_gws_password }}'
    assert len(urls) == len(ENVIRONMENTS)


def test_vaults_hold_placeholders_only():
    for environment in ENVIRONMENTS:
        vault = yaml.safe_load((EXAMPLE / 'group_vars' / environment / 'vault.yml').read_text())

        assert set(vault) == VAULT_KEYS
        for key in ('vault_cassandra_password', 'vault_gws_password', 'vault_gdpr_hash_salt'):
            assert vault[key].startswith('REPLACE-'), key
        assert vault['vault_gws_headers']['X-CSRF-TOKEN'].startswith('REPLACE-')
        assert vault['vault_gws_username'].endswith('.example.com')


def test_walkthrough_on_lab(seeded, cql, tmp_path):
    inventory = tmp_path / 'inventories' / 'gdpr'
    shutil.copytree(str(EXAMPLE), str(inventory))
    password_file = tmp_path / 'staging-vault-password'
    password_file.write_text('walk-through test only\n')
    vault = inventory / 'group_vars' / 'staging' / 'vault.yml'
    # The lab Cassandra has no authentication, and empty values leave the Cassandra credentials unset.
    vault.write_text(yaml.safe_dump({
        'vault_cassandra_username': '', 'vault_cassandra_password': '',
        'vault_gws_username': ADMIN[0], 'vault_gws_password': ADMIN[1],
        'vault_gdpr_hash_salt': 'walk-through test salt', 'vault_gws_headers': {},
    }))
    ansible_tool('ansible-vault', 'encrypt', '--vault-id', 'staging@%s' % password_file, vault)
    assert vault.read_text().startswith('$ANSIBLE_VAULT;1.2;AES256;staging')

    reports = tmp_path / 'reports'
    overrides = tmp_path / 'lab-overrides.json'
    overrides.write_text(json.dumps({
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'forget_me_cassandra_hosts': ['127.0.0.1'], 'forget_me_cassandra_port': CQL_PORT,
        'forget_me_cassandra_local_dc': '', 'forget_me_gws_url': GWS_URL, 'forget_me_ca_path': '',
        'forget_me_report_dir': str(reports),
    }))
    request = tmp_path / 'request.yml'
    request.write_text(yaml.safe_dump({'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True}))
    command = ['gdpr.gws.forget_me', '-i', inventory, '--limit', 'staging', '--vault-id',
               'staging@%s' % password_file, '-e', '@%s' % request, '-e', '@%s' % overrides]
    before = settings_fingerprint(cql)

    dry = ansible_playbook(*(command + ['--check', '--diff']))

    assert dry.returncode == 0, dry.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert re.search(r'^gdpr-runner\.staging\.example\.com\s+: ok=\d+\s+changed=[1-9]', dry.stdout, re.MULTILINE)
    assert 'gdpr-runner.prod.example.com' not in dry.stdout

    real = ansible_playbook(*command)

    assert real.returncode == 0, real.stdout[-3000:]
    erased = set(before) - set(settings_fingerprint(cql))
    assert erased == locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    reports_written = sorted(reports.glob('forget_me-*-gdpr-runner.staging.example.com-*.json'))
    assert len(reports_written) == 2
    for text in (dry.stdout, real.stdout) + tuple(report.read_text() for report in reports_written):
        assert DEMO_EMAIL not in text
        assert ADMIN[1] not in text
