# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that the relative links and pictures of the Markdown guides point at files of the repository."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDES = ['README.md', 'inventories/example/README.md', 'docs/awx/README.md', 'roles/forget_me/README.md']
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def relative_links(guide):
    with open(os.path.join(ROOT, guide)) as handle:
        text = handle.read()
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if not re.match(r'^(https?:|mailto:|#)', target):
            yield target.split('#')[0]


@pytest.mark.parametrize('guide', GUIDES)
def test_relative_links_exist(guide):
    folder = os.path.dirname(os.path.join(ROOT, guide))

    missing = [target for target in relative_links(guide) if not os.path.exists(os.path.join(folder, target))]

    assert missing == []


def test_readme_shows_report_screenshot():
    picture = os.path.join(ROOT, 'docs', 'images', 'evidence-report.png')

    assert 'docs/images/evidence-report.png' in set(relative_links('README.md'))
    with open(picture, 'rb') as handle:
        assert handle.read(8) == PNG_SIGNATURE
    assert os.path.getsize(picture) < 400 * 1024
