# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test of the HTML evidence report: a real run on the lab, its page rendered in headless Chromium.

Chromium is Debian's package (`apt-get install chromium`; .ci/run installs it). It runs with a fresh
profile and with background networking off, because this machine has no network beyond the package
registries. The test reads the page as Chromium rendered it (--dump-dom) and takes a screenshot.
"""

import json
import re
import shutil
import subprocess
from html import unescape

import pytest

from lab_helpers import ADMIN, DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync',
                  '--hide-scrollbars']
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def chromium(tmp_path, *arguments):
    """Run headless Chromium with a new profile and return its standard output."""
    binary = shutil.which('chromium')
    if binary is None:
        pytest.fail('chromium is not installed; install Debian\'s package with `apt-get install chromium`')
    command = [binary] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % (tmp_path / 'chromium-profile')] + list(arguments)
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def rendered_text(dom):
    """Return the visible text of a dumped DOM, one space between words."""
    body = re.sub(r'(?s)<(style|script)[^>]*>.*?</\1>', ' ', dom)
    return re.sub(r'\s+', ' ', unescape(re.sub(r'<[^>]+>', ' ', body))).strip()


def section_text(dom, section_id):
    match = re.search(r'(?s)<section id="%s">(.*?)</section>' % re.escape(section_id), dom)
    assert match, section_id
    return rendered_text(match.group(1))


def test_html_report_renders_in_chromium(seeded, tmp_path):
    reports = tmp_path / 'reports'
    request = tmp_path / 'request.json'
    request.write_text(json.dumps({'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True,
                                   'forget_me_report_dir': str(reports)}))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % request)
    assert completed.returncode == 0, completed.stdout[-3000:]
    json_report = next(reports.glob('*.json'))
    html_report = json_report.with_suffix('.html')
    evidence = json.loads(json_report.read_text())
    counts = evidence['counts']

    dom = chromium(tmp_path, '--dump-dom', html_report.as_uri())
    screenshot = tmp_path / 'report.png'
    chromium(tmp_path, '--window-size=1200,1600', '--screenshot=%s' % screenshot, html_report.as_uri())

    assert oct(html_report.stat().st_mode & 0o777) == '0o600'
    assert 'HTML report: %s' % html_report in completed.stdout
    assert '<title>GDPR evidence report %s</title>' % evidence['run_id'] in dom
    text = rendered_text(dom)
    for secret in (DEMO_EMAIL, DEMO_PHONE, '2079460958', ADMIN[1]):
        assert secret not in text
    assert ('completed %d settings contained the subjects: %d erased, %d not erasable, 0 failed.'
            % (counts['found'], counts['erased'], counts['not_erasable'])) in text

    requests = section_text(dom, 'requests')
    assert re.search(r'\(one request\) forget 2 %d %d %d %d$' % (
        counts['found'], counts['erasable'], counts['planned'], counts['erased']), requests), requests
    totals = section_text(dom, 'totals')
    assert totals.endswith('%d %d %d %d %d 0 0 0 0 0' % (
        counts['found'], counts['erasable'], counts['not_erasable'], counts['planned'], counts['erased'])), totals
    groups = section_text(dom, 'groups')
    for group, found in evidence['counts']['per_group'].items():
        assert '%s %d' % (group, found) in groups
    erased = section_text(dom, 'erased')
    assert 'Erased settings (%d)' % counts['erased'] in erased
    for record in evidence['settings']['erased']:
        assert record['setting_id'] in erased
    not_erasable = section_text(dom, 'not-erasable')
    for record in evidence['settings']['not_erasable']:
        assert record['setting_id'] in not_erasable
        assert record['reason'] in not_erasable
    assert section_text(dom, 'verification').startswith('Verification')
    assert 'result passed' in section_text(dom, 'verification')
    assert 'tool gdpr.gws %s' % evidence['tool']['collection_version'] in section_text(dom, 'summary')
    assert 'duration of the scan' in section_text(dom, 'timings')

    image = screenshot.read_bytes()
    assert image.startswith(PNG_SIGNATURE)
    assert len(image) > 20000
