# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Register the lab fixtures of lab_helpers and fault_helpers for the integration tests."""

# Importing the fixtures is what registers them with pytest.
from lab_helpers import cql, gws_api, run_module, seeded  # noqa: F401  # pylint: disable=unused-import
from fault_helpers import access_log, cassandra_proxy, gws_faults, secure_lab  # noqa: F401  # pylint: disable=unused-import
