# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the collection importable as ansible_collections.gdpr.gws in unit tests.

The repository root is the collection root and does not sit under an ansible_collections/
directory. This file links it into a temporary ansible_collections/gdpr/gws tree and puts
that tree first on sys.path before any test module is imported.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import atexit
import os
import shutil
import sys
import tempfile

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _link_collection():
    tree = tempfile.mkdtemp(prefix='gdpr-gws-unit-')
    atexit.register(shutil.rmtree, tree, True)
    namespace = os.path.join(tree, 'ansible_collections', 'gdpr')
    os.makedirs(namespace)
    os.symlink(_COLLECTION_ROOT, os.path.join(namespace, 'gws'))
    sys.path.insert(0, tree)


try:
    # Succeeds when the collection is installed or already linked.
    import ansible_collections.gdpr.gws  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    _link_collection()
