# SPDX-License-Identifier: GPL-3.0-or-later
"""Put tests/lab on sys.path so the lab's scripts can be imported as modules in these tests."""

import os
import sys

LAB_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "lab")
if LAB_DIR not in sys.path:
    sys.path.insert(0, LAB_DIR)
