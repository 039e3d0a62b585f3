# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Erasure of planned settings through GWS, and verification in GWS and Cassandra afterwards.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.gdpr.gws.plugins.module_utils._gws import GwsError

# After this many settings in a row failed because GWS was unreachable or overloaded (each after its
# own retries), the run stops: the remaining deletes would only wait through the same retries.
MAX_UNAVAILABLE_IN_A_ROW = 3


class EraseOutcome(object):
    """Outcome of an erase: settings deleted, already gone, failed or not attempted, and the verification."""

    def __init__(self):
        self.deleted = []
        self.already_gone = []
        self.failed = []
        self.not_attempted = []
        self.verified = None
        self.still_present = []
        self.stop_reason = None


def _is_fatal(error):
    """Return True for errors that every further request would repeat (credentials, permissions)."""
    return error.http_status in (401, 403) or error.status_code in (3, 5)


def erase(client, profile, planned, warn=None, outcome=None):
    """Delete each planned (record, match) pair through GWS and return an EraseOutcome.

    A failure on one setting does not stop the others. Two things stop the run: a credentials or
    permission error, because every later request would fail the same way, and
    MAX_UNAVAILABLE_IN_A_ROW failures in a row while GWS is unreachable or overloaded. The settings
    left are returned in not_attempted, and stop_reason gives the reason. The caller may pass the
    outcome to fill, so that it still has what was deleted if an unexpected error ends the loop.
    """
    outcome = outcome if outcome is not None else EraseOutcome()
    requests_profile = profile['requests']
    default_key = profile['default_key_attribute']
    unavailable_in_a_row = 0
    for position, (record, match) in enumerate(planned):
        try:
            key_attribute = client.key_attribute(requests_profile, match['scope'], match['owner_id'],
                                                 match['group'], default_key)
            result = client.delete_setting(requests_profile, match['scope'], match['owner_id'], match['group'],
                                           key_attribute, match['key'])
        except GwsError as error:
            outcome.failed.append(dict(record, error=str(error)))
            unavailable_in_a_row = unavailable_in_a_row + 1 if error.unavailable else 0
            if _is_fatal(error):
                outcome.stop_reason = ('GWS rejected the credentials, the permissions or the CSRF token, which every '
                                       'later delete would repeat')
            elif unavailable_in_a_row >= MAX_UNAVAILABLE_IN_A_ROW:
                outcome.stop_reason = ('GWS was unreachable or overloaded for %d settings in a row'
                                       % unavailable_in_a_row)
            if outcome.stop_reason:
                outcome.not_attempted.extend(r for r, m in planned[position + 1:])
                break
            continue
        unavailable_in_a_row = 0
        if result == 'deleted':
            outcome.deleted.append(record)
        else:
            outcome.already_gone.append(record)
    return outcome


def verify(client, profile, finished, row_lookup=None):
    """Re-read each finished (record, match) pair and return the records that are still present.

    GWS is asked first (the group must no longer list the key). When row_lookup is given, the
    Cassandra row is read too, and it must be gone or no longer contain the subjects.
    """
    requests_profile = profile['requests']
    default_key = profile['default_key_attribute']
    still_present = []
    groups = {}
    for record, match in finished:
        group_id = (match['scope'], match['owner_id'], match['group'])
        if group_id not in groups:
            key_attribute = client.key_attribute(requests_profile, match['scope'], match['owner_id'],
                                                 match['group'], default_key)
            settings = client.read_group(requests_profile, *group_id)
            groups[group_id] = set(str(s.get(key_attribute)) for s in settings if key_attribute in s)
        if match['key'] in groups[group_id]:
            still_present.append(dict(record, verification='still listed by GWS'))
        elif row_lookup is not None and row_lookup(match):
            still_present.append(dict(record, verification='still in Cassandra with the subject'))
    return still_present
