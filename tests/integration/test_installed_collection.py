# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the collection tarball, install it into an empty collections path and use it from there.

This is what a user does with a release: `ansible-galaxy collection build`, `ansible-galaxy collection
install`, then `ansible-playbook gdpr.gws.forget_me`. Only the installed copy is on
ANSIBLE_COLLECTIONS_PATH here, so a file that build_ignore leaves out by mistake makes these tests fail.
"""

import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, REPO, ansible_env, ansible_playbook,
                         locations_of, settings_fingerprint)

GALAXY = yaml.safe_load((REPO / 'galaxy.yml').read_text())
VERSION = GALAXY['version']

# Files every release must contain, relative to the collection root.
SHIPPED = [
    'MANIFEST.json', 'FILES.json', 'README.md', 'CHANGELOG.md', 'changelogs/changelog.yaml',
    'requirements.txt', 'meta/runtime.yml', 'meta/execution-environment.yml', 'meta/ee-requirements.txt',
    'meta/ee-bindep.txt', 'plugins/modules/personal_data.py', 'plugins/modules/personal_data_info.py',
    'roles/forget_me/meta/argument_specs.yml', 'playbooks/forget_me.yml', 'inventories/example/hosts.yml',
]
# Prefixes of development files, lab data and benchmark output that must stay out.
LEFT_OUT = ['.venv/', '.venv-latest/', '.lab/', '.build/', '.ansible/', '.ci/', '.pytest_cache/', 'benchmarks/',
            'tests/output/', 'Makefile', 'requirements-dev.txt', 'requirements-latest.txt',
            'inventories/lab/vault-password-lab-only.txt']


def bin_path(name):
    return str(Path(sys.executable).parent / name)


def run(command, env, cwd=REPO, timeout=300):
    completed = subprocess.run([str(part) for part in command], cwd=str(cwd), env=env, capture_output=True,
                               text=True, timeout=timeout, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """Build the tarball and install it; return (tarball, collections path, environment using only it)."""
    work = tmp_path_factory.mktemp('installed')
    collections = work / 'collections'
    env = ansible_env(ANSIBLE_COLLECTIONS_PATH=str(collections))

    run([bin_path('ansible-galaxy'), 'collection', 'build', '--output-path', work / 'dist', REPO], env)
    tarball = work / 'dist' / ('gdpr-gws-%s.tar.gz' % VERSION)
    assert tarball.is_file()
    run([bin_path('ansible-galaxy'), 'collection', 'install', tarball, '-p', collections], env)
    return tarball, collections, env


def test_tarball_contents(installed):
    tarball, _collections, _env = installed

    with tarfile.open(str(tarball)) as archive:
        names = set(name[2:] if name.startswith('./') else name for name in archive.getnames())

    for path in SHIPPED:
        assert path in names, path
    for prefix in LEFT_OUT:
        assert not [name for name in names if name == prefix.rstrip('/') or name.startswith(prefix)], prefix


def test_installed_version_listed(installed):
    _tarball, collections, env = installed

    listing = run([bin_path('ansible-galaxy'), 'collection', 'list', 'gdpr.gws', '--format', 'json'], env).stdout

    found = json.loads(listing)
    assert list(found) == [str(collections / 'ansible_collections')]
    assert found[str(collections / 'ansible_collections')]['gdpr.gws']['version'] == VERSION


@pytest.mark.parametrize('plugin_type, name, expected', [
    ('module', 'gdpr.gws.personal_data', ['max_deletions', 'gws_url', 'RETURN VALUES', 'planned']),
    ('module', 'gdpr.gws.personal_data_info', ['cassandra_hosts', 'consistency_level', 'matches']),
    ('role', 'gdpr.gws.forget_me', ['forget_me_subjects', 'forget_me_cleanup', 'forget_me_report_dir']),
])
def test_installed_docs_render(installed, plugin_type, name, expected):
    _tarball, collections, env = installed

    output = run([bin_path('ansible-doc'), '-t', plugin_type, name], env).stdout

    assert str(collections) in output, output[:500]
    for text in expected:
        assert text in output, text


def test_installed_playbook_erases(installed, seeded, cql, tmp_path):
    _tarball, collections, env = installed
    before = settings_fingerprint(cql)
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    reports = tmp_path / 'reports'
    request = tmp_path / 'request.json'
    request.write_text(json.dumps({'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True,
                                   'forget_me_report_dir': str(reports)}))

    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % request, env=env)

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert re.search(r'^localhost\s+: ok=\d+\s+changed=[1-9]', completed.stdout, re.MULTILINE), completed.stdout[-2000:]
    assert set(before) - set(settings_fingerprint(cql)) == expected
    report = json.loads(next(reports.glob('*.json')).read_text())
    assert report['tool']['collection_version'] == VERSION


def test_builder_reads_ee_requirements(installed):
    pytest.importorskip('ansible_builder', reason='ansible-builder is in requirements-dev.txt only')
    _tarball, collections, env = installed

    output = run([bin_path('ansible-builder'), 'introspect', collections], env).stdout

    requirements = set(line.split('>=')[0].split('#')[0].strip() for line in
                       (REPO / 'requirements.txt').read_text().splitlines() if line.strip())
    for package in requirements:
        assert re.search(r"^- '%s\b.*# from collection gdpr\.gws'$" % re.escape(package), output,
                         re.MULTILINE | re.IGNORECASE), output
    assert 'libev-devel' in output


def test_awx_wrapper_takes_survey_answers(installed, seeded, cql, tmp_path):
    _tarball, _collections, env = installed
    before = settings_fingerprint(cql)
    # An AWX survey sends every answer as a string; the subjects come from a one-line password field.
    answers = tmp_path / 'survey-answers.json'
    answers.write_text(json.dumps({
        'subjects': '%s, %s' % (DEMO_EMAIL, DEMO_PHONE), 'cleanup': 'true', 'default_region': 'GB',
        'group_name': '', 'forget_me_max_deletions': 100, 'forget_me_report_dir': str(tmp_path / 'reports'),
    }))

    completed = ansible_playbook('docs/awx/forget_me.yml', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % answers, '--check', env=env)

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert re.search(r'^localhost\s+: ok=\d+\s+changed=[1-9]', completed.stdout, re.MULTILINE), completed.stdout[-2000:]
    assert settings_fingerprint(cql) == before
    assert DEMO_EMAIL not in completed.stdout
    report = json.loads(next((tmp_path / 'reports').glob('*.json')).read_text())
    assert report['dry_run'] is True
    assert len(report['subjects']) == 2
