# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py script that ansible-test downloads to put pip into its sanity test venvs.

ansible-test creates each sanity test's virtual environment without pip, then runs
~/.ansible/test/cache/get_pip_<version>.py with pip's command-line arguments (``install``, the pinned
pip package, ``--no-setuptools``, ``--no-wheel``). It downloads that script from a host outside
PyPI when the file is missing. tests/sanity/install_get_pip_shim.py copies this file there instead.

This stand-in installs the pip wheel that ships with Python (ensurepip), then lets that pip install
the requested packages from the configured package index.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that pip's own "install" command does not accept.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    ensurepip.bootstrap(upgrade=True)

    # ensurepip points PIP_CONFIG_FILE at os.devnull while it runs and leaves it set, which would hide
    # the machine's pip configuration (index, proxy, CA bundle) from the install below.
    os.environ.pop('PIP_CONFIG_FILE', None)

    arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
    if not arguments:
        return 0
    if arguments[0] != 'install':
        arguments.insert(0, 'install')
    return subprocess.call([sys.executable, '-m', 'pip'] + arguments)


if __name__ == '__main__':
    sys.exit(main())
