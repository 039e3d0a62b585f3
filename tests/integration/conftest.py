# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Register the lab fixtures of lab_helpers for the integration tests."""

from lab_helpers import cql, gws_api, run_module, seeded  # noqa: F401 (pytest fixtures)
