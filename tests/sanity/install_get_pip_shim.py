# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put get_pip_shim.py where the running Python's ansible-test looks for its pip bootstrap script.

Run it with the Python of the venv that has ansible-core installed. ansible-test pins one pip
version per release (24.2 in ansible-core 2.19) and looks for
~/.ansible/test/cache/get_pip_<version with underscores>.py before it tries to download it.
A file already there is replaced, so a failed download or an older shim does not linger.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import shutil

SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_shim.py')


def pinned_pip_version():
    """Return the pip version that this ansible-test installs into its venvs, such as '24.2'."""
    import ansible_test

    source = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source) as handle:
        match = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", handle.read())
    if not match:
        raise SystemExit('install_get_pip_shim: cannot find the pinned pip version in %s; this ansible-test '
                         'release bootstraps pip differently, so check its bootstrap() in '
                         '_util/target/setup/requirements.py' % source)
    return match.group(1)


def main():
    version = pinned_pip_version()
    cache = os.path.expanduser('~/.ansible/test/cache')
    target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))

    if not os.path.isdir(cache):
        os.makedirs(cache)
    shutil.copyfile(SHIM, target)

    # A zero-byte leftover of a failed download is harmless but confusing when debugging.
    leftover = target + '.download'
    if os.path.exists(leftover):
        os.remove(leftover)
    print('pip %s bootstrap for ansible-test: %s' % (version, target))


if __name__ == '__main__':
    main()
