#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: personal_data
short_description: Erase a data subject's personal data from GWS settings
version_added: 0.1.0
description:
  - Ensures that no GWS setting contains the e-mail addresses or phone numbers of the given data subjects.
  - Scans the settings tables in Cassandra, plans one delete per matching setting, and sends each delete
    through the GWS REST API, so that GWS's caches and indexes stay consistent. It never deletes through CQL.
  - The whole scan finishes before the first delete. An incomplete scan deletes nothing.
  - After the deletes, each setting is read again through GWS and, where the profile allows, from Cassandra,
    to verify that it is gone.
  - The CSRF header and token are fetched from GWS and refreshed once when GWS rejects them.
  - With O(search_scope=keyspace) it also reports rows outside the settings profile that contain a subject, in
    RV(unmapped_matches); it does not erase them.
  - RV(storage) says per table when the erased values can leave the disk (C(gc_grace_seconds) and the earliest
    tombstone purge time). The role gdpr.gws.forget_me can run C(nodetool garbagecollect) to remove them sooner.
author:
  - gdpr.gws contributors (@gdpr-gws)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - gdpr.gws.search
  - gdpr.gws.gws
options:
  state:
    description: C(absent) is the only state; no setting may contain the subjects afterwards.
    type: str
    default: absent
    choices: [absent]
  max_deletions:
    description:
      - Fail before the first delete when more settings than this would be deleted. Raise it on purpose for a
        subject that really is in many settings.
    type: int
    default: 100
  setting_ids:
    description:
      - Delete only the settings with these RV(matches[].setting_id) values, the plan of an earlier search with
        the same O(hash_salt). Settings found now but not listed are returned in RV(not_in_plan) and left in place.
      - The forget_me role passes the merged plan of all hosts here when several hosts share a scan with
        O(token_slice), so that no host deletes before every slice was searched completely.
      - All matches of forget requests are deleted when omitted.
    type: list
    elements: str
attributes:
  check_mode:
    support: full
    details:
      - Runs the full scan and reports the planned deletes in RV(planned) with the same C(changed) as a real run.
      - Sends no change to GWS. When O(gws_url) is given, it logs in with a GET to check the credentials.
  diff_mode:
    support: full
    details: The diff shows the settings to delete, masked unless O(reveal_pii=true).
  platform:
    platforms: posix
  action_group:
    membership: [gdpr.gws.all]
seealso:
  - module: gdpr.gws.personal_data_info
'''

EXAMPLES = r'''
- name: Erase a subject's e-mail address and phone number from Workspace favorites and recents
  gdpr.gws.personal_data:
    subjects:
      - jane.doe@example.com
      - "+44 20 7946 0958"
    default_region: GB
    state: absent
    cassandra_hosts: [cassandra1.example.com]
    gws_url: https://gws.example.com:8443
    gws_username: "{{ vault_gws_username }}"
    gws_password: "{{ vault_gws_password }}"
    hash_salt: "{{ vault_gdpr_hash_salt }}"
  register: erased

- name: Dry run with the original script's option names
  gdpr.gws.personal_data:
    search: jane.doe@example.com
    group_name: interaction-workspace-personal-favorites
    cass_hostname: [localhost]
    cass_keyspace: sipfs
    gws: http://127.0.0.1:8090
    gws_username: admin@example.com
    gws_user_password: "{{ vault_gws_password }}"
    gws_additional_headers: '{"X-Proxy-Auth": "{{ vault_proxy_token }}"}'
  check_mode: true
'''

RETURN = r'''
subjects:
  description: The subjects searched for, by id. Values are masked unless O(reveal_pii=true).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "subj-3f1c0a9e5b7d2c41", "kind": "phone", "masked": "+44*******958"}]
matches:
  description: Settings found by the scan, erasable or not, as in M(gdpr.gws.personal_data_info).
  returned: always
  type: list
  elements: dict
  contains:
    setting_id:
      description: Id of the setting, derived from table, scope, owner, group and key with O(hash_salt).
      type: str
      sample: set-8d2f4b1c9a0e7d35
    table:
      description: Cassandra table of the setting.
      type: str
      sample: settings
    scope:
      description: C(user) for an agent's own settings, C(contact-center) for settings of the administrator.
      type: str
      sample: user
    owner_id:
      description: Id of the user (or contact center) that owns the setting.
      type: str
      sample: 1e6def1758784546a610039f94bf254d
    group:
      description: Settings group.
      type: str
      sample: interaction-workspace-personal-favorites
    key:
      description: Value of the group's key attribute, masked unless O(reveal_pii=true).
      type: str
      sample: "f***"
    subjects:
      description: Ids of the subjects found in this setting.
      type: list
      elements: str
    locations:
      description: Where in the setting each subject was found, as JSON paths; C(<json>) marks JSON inside a string.
      type: list
      elements: str
      sample: ["$.emailAddresses[0]", "$.note<json>.email"]
    erasable:
      description: Whether gdpr.gws.personal_data would delete this setting.
      type: bool
    reason:
      description: Why the setting is not erasable, or null.
      type: str
    value:
      description: The stored setting, only when O(reveal_pii=true).
      type: str
      returned: when O(reveal_pii=true)
planned:
  description: Settings the run deletes (or, in check mode, would delete), with the fields of RV(matches).
  returned: always
  type: list
  elements: dict
deleted:
  description: Settings deleted through GWS by this run.
  returned: always
  type: list
  elements: dict
already_gone:
  description: Settings that GWS reported as not found when deleting them; counted as erased.
  returned: always
  type: list
  elements: dict
failed_settings:
  description: Settings whose delete failed, each with an C(error) message. Empty unless the module failed.
  returned: always
  type: list
  elements: dict
not_attempted:
  description: Settings not tried because an earlier error (credentials, permissions) would repeat.
  returned: always
  type: list
  elements: dict
not_in_plan:
  description: Settings that would be deleted but are not in O(setting_ids), so they were left in place.
  returned: always
  type: list
  elements: dict
still_present:
  description:
    - Settings that GWS reported as deleted but that were still there when read back, with the fields of RV(matches).
      The module fails when this is not empty.
  returned: when a deleted setting was read back and found
  type: list
  elements: dict
verified:
  description:
    - Whether every deleted setting was read again and found gone. Null in check mode and when nothing was deleted.
  returned: always
  type: bool
counts:
  description: Rows scanned and matches in total, per subject id and per settings group.
  returned: always
  type: dict
scan:
  description: How the scan went, as in gdpr.gws.personal_data_info.
  returned: always
  type: dict
search_scope:
  description: The search scope of the run, C(settings) or C(keyspace).
  returned: always
  type: str
  sample: keyspace
unmapped_matches:
  description:
    - With O(search_scope=keyspace), rows of tables the settings profile does not cover, or of settings-table columns
      it does not map, that contain a subject. They are found, not erasable by this collection. Empty otherwise.
  returned: always
  type: list
  elements: dict
  contains:
    row_id:
      description: Id of the row, derived from table and primary key with O(hash_salt).
      type: str
      sample: row-5c1d0e9a7b3f2a64
    table:
      description: Cassandra table of the row.
      type: str
      sample: interaction_notes
    primary_key:
      description:
        - Primary key columns and their values, masked unless O(reveal_pii=true). C(uuid) and C(timeuuid) values
          are shown as they are.
      type: dict
      sample: {"agent_id": "a*** (32 chars)", "note_id": "6f1c8e2a-9d4b-11ef-8c1a-0242ac120002"}
    columns:
      description: Columns in which a subject was found.
      type: list
      elements: str
    subjects:
      description: Ids of the subjects found in this row.
      type: list
      elements: str
    locations:
      description: Where each subject was found, as C(column:JSON path).
      type: list
      elements: str
      sample: ["note:$", "tags:$[1]"]
    erasable:
      description: Always false.
      type: bool
    reason:
      description: Why the collection cannot erase the row.
      type: str
    column_values:
      description: The text of every searched column, only when O(reveal_pii=true).
      type: dict
      returned: when O(reveal_pii=true)
keyspace_scan:
  description: How the keyspace scan went, or null with O(search_scope=settings).
  returned: always
  type: dict
  sample: {"complete": true, "keyspace": "sipfs", "tables": ["sipfs.interaction_notes", "sipfs.users"],
           "skipped_tables": [{"table": "sipfs.settings", "reason": "settings table; every text-like column is mapped
           by the settings profile"}], "rows_scanned": 14, "token_ranges": 128, "token_ranges_done": 128,
           "failed_ranges": [], "undecodable_blobs": 0, "duration_seconds": 0.2}
storage:
  description:
    - Per table with planned deletes, when the erased values can leave the disk. A delete writes a tombstone; the
      deleted value stays in the SSTables that contain it until a compaction merges them with the tombstone, and the
      tombstone, which contains the primary key (owner id, settings group, setting key), can be purged only by a
      compaction after C(gc_grace_seconds).
  returned: always
  type: list
  elements: dict
  contains:
    table:
      description: Keyspace and table.
      type: str
      sample: sipfs.settings
    erased:
      description: Settings deleted from this table by this run.
      type: int
    gc_grace_seconds:
      description: The table's C(gc_grace_seconds), from the schema.
      type: int
      sample: 864000
    compaction:
      description: The table's compaction strategy class.
      type: str
      sample: SizeTieredCompactionStrategy
    erased_at:
      description: Time of the deletes (UTC), or null when nothing was deleted in this table.
      type: str
      sample: '2026-03-01T10:15:02Z'
    tombstones_purgeable_from:
      description:
        - Earliest time (UTC) at which a compaction can purge the tombstones of this run's deletes, that is
          C(erased_at) plus C(gc_grace_seconds). Null when nothing was deleted in this table.
      type: str
      sample: '2026-03-11T10:15:02Z'
'''

import functools
import os
import ssl

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from urllib.parse import urlsplit

from ansible_collections.gdpr.gws.plugins.module_utils import _common
from ansible_collections.gdpr.gws.plugins.module_utils import _erase
from ansible_collections.gdpr.gws.plugins.module_utils import _gws
from ansible_collections.gdpr.gws.plugins.module_utils import _keyspace_scan
from ansible_collections.gdpr.gws.plugins.module_utils import _scan
from ansible_collections.gdpr.gws.plugins.module_utils import _tombstones
from ansible_collections.gdpr.gws.plugins.module_utils._masking import warn_masked


def argument_spec():
    spec = _common.search_argument_spec()
    spec.update(
        state=dict(type='str', default='absent', choices=['absent']),
        max_deletions=dict(type='int', default=100),
        setting_ids=dict(type='list', elements='str'),
        gws_url=dict(type='str', aliases=['gws']),
        gws_username=dict(type='str'),
        gws_password=dict(type='str', no_log=True, aliases=['gws_user_password']),
        gws_headers=dict(type='raw', no_log=True, aliases=['gws_additional_headers']),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        gws_timeout=dict(type='int', default=30),
        gws_retries=dict(type='int', default=3),
    )
    return spec


def check_gws_params(module):
    """Fail, naming the option, when the GWS options cannot work; return the headers as a dict."""
    params = module.params
    if not _gws.HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=_gws.REQUESTS_IMPORT_ERROR)
    url = params['gws_url']
    if url:
        check_gws_url(module, url)
        if not params['gws_username'] or not params['gws_password']:
            module.fail_json(msg='gws_username and gws_password are required with gws_url')
    elif not module.check_mode:
        module.fail_json(msg='gws_url is required unless in check mode; the deletes are sent through GWS')
    if params['max_deletions'] < 0:
        module.fail_json(msg='max_deletions must be 0 or more, got %d' % params['max_deletions'])
    if params['gws_timeout'] < 1:
        module.fail_json(msg='gws_timeout must be at least 1, got %d' % params['gws_timeout'])
    if not 0 <= params['gws_retries'] <= 10:
        module.fail_json(msg='gws_retries must be between 0 and 10, got %d' % params['gws_retries'])
    if params['ca_path'] and not os.path.isfile(params['ca_path']):
        module.fail_json(msg='ca_path %s is not a readable file' % params['ca_path'])
    if params['ca_path']:
        try:
            ssl.create_default_context(cafile=params['ca_path'])
        except (ssl.SSLError, OSError) as error:
            module.fail_json(msg='ca_path %s is not a PEM CA certificate: %s'
                                 % (params['ca_path'], getattr(error, 'reason', None) or type(error).__name__))
    return _common.parse_headers(module, params['gws_headers'])


def check_gws_url(module, url):
    """Fail unless gws_url is an http(s) base URL; warn when it sends credentials unencrypted to another host.

    The messages never repeat the URL, because a mistyped URL can hold a password.
    """
    if not (url.startswith('http://') or url.startswith('https://')) or len(url) < 10:
        module.fail_json(msg='gws_url must start with http:// or https://, for example https://gws.example.com:8443')
    if any(ch in url for ch in ' \r\n\t\x00?#'):
        module.fail_json(msg='gws_url must be a base URL without spaces, line breaks, query or fragment')
    parts = urlsplit(url)
    if '@' in parts.netloc:
        # Ansible masks no_log values everywhere in the result, the echoed module arguments included.
        module.no_log_values.add(parts.netloc.rpartition('@')[0])
        if parts.password:
            module.no_log_values.add(parts.password)
        module.fail_json(msg='gws_url must not contain a user name or password; give them in gws_username and '
                             'gws_password (from a vault)')
    if not parts.hostname:
        module.fail_json(msg='gws_url has no host name, for example https://gws.example.com:8443')
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        module.fail_json(msg='gws_url has an invalid port; give a port between 1 and 65535, for example '
                             'https://gws.example.com:8443')
    if parts.path.rstrip('/').endswith('/api/v2'):
        module.fail_json(msg='gws_url must be the GWS base URL without /api/v2, for example https://gws.example.com:8443')
    if parts.scheme == 'http' and parts.hostname not in ('127.0.0.1', '::1', 'localhost'):
        warn_masked(module, 'gws_url uses http://, so the GWS password and the keys of the settings to delete are sent '
                            'unencrypted. Use https:// outside a lab.')


def gws_client(module, headers):
    params = module.params
    verify = params['validate_certs']
    if verify and params['ca_path']:
        verify = params['ca_path']
    if not params['validate_certs'] and params['gws_url'].startswith('https://'):
        warn_masked(module, 'validate_certs is false: the GWS certificate is not checked, so the GWS password could '
                            'be sent to an impostor. Use ca_path instead outside a lab.')
    return _gws.GwsClient(params['gws_url'], params['gws_username'], params['gws_password'], headers=headers,
                          verify=verify, timeout=params['gws_timeout'], retries=params['gws_retries'],
                          warn=functools.partial(warn_masked, module))


def verify(module, client, session, profile, matcher, finished):
    """Read the finished settings back through GWS and Cassandra; return those still present, or None.

    None means the read-back itself failed. The deletes stand, and the module warns about it.
    """
    params = module.params
    try:
        row_lookup = _scan.RowLookup(session, params['cassandra_keyspace'], profile, matcher)
        if row_lookup.usable:
            return _erase.verify(client, profile, finished, row_lookup)
        still_present = _erase.verify(client, profile, finished, None)

        # The profile's columns do not cover the primary key, so rows cannot be read one by one. A new scan
        # is then the only way to see whether Cassandra still stores the settings that GWS reported as gone.
        rescan = _common.run_scan(module, session, matcher, profile, keep_values=False)
        if not rescan.complete:
            warn_masked(module, 'The deletes were sent, but the scan that verifies them in Cassandra was incomplete. '
                                'Run the module again to verify.')
            return None
        remaining = set(_identity(match) for match in rescan.matches)
        listed = set(record['setting_id'] for record in still_present)
        for record, match in finished:
            if _identity(match) in remaining and record['setting_id'] not in listed:
                still_present.append(dict(record, verification='still in Cassandra with the subject'))
        return still_present
    except _gws.GwsError as error:
        warn_masked(module, 'The deletes were sent, but reading the settings back through GWS failed: %s. Run the '
                            'module again to verify.' % error)
    except _scan.ScanError as error:
        warn_masked(module, 'The deletes were sent, but reading the settings back from Cassandra failed: %s. Run the '
                            'module again to verify.' % error)
    except _scan.READ_ERRORS as error:
        warn_masked(module, 'The deletes were sent, but reading the settings back from Cassandra failed (%s). Run '
                            'the module again to verify.' % type(error).__name__)
    return None


def probe_permissions(module, client, profile, planned, result):
    """Fail a dry run when GWS would refuse the real run: read each owner's settings groups with GET.

    Reading another user's settings groups needs the same administrator rights as deleting from them,
    so a user without them fails here instead of at the first delete of the real run.
    """
    owners = sorted(set((match['scope'], match['owner_id'], match['group']) for record, match in planned))
    for scope, owner_id, group in owners:
        try:
            client.key_attribute(profile['requests'], scope, owner_id, group, profile['default_key_attribute'])
        except _gws.GwsError as error:
            module.fail_json(msg='Dry run: GWS refused to read the settings groups of owner %s, so the real run would '
                                 'fail; nothing was deleted: %s' % (owner_id, error), **result)


def _identity(match):
    return (match['table'], match['scope'], match['owner_id'], match['group'], match['key'])


def still_present_message(still_present, outcome):
    """Return the failure message for settings that are still stored after the erase."""
    gone_ids = set(record['setting_id'] for record in outcome.already_gone)
    orphans = [record for record in still_present if record['setting_id'] in gone_ids]
    message = '%d settings still contain the subjects after the erase.' % len(still_present)
    if orphans:
        message += (' GWS answered "not found" for %d of them although Cassandra still holds them: GWS does not know '
                    'these settings (for example settings of a user removed from GWS), or settings_profile does not '
                    'match the table layout. Check settings_profile; such rows cannot be erased through GWS.'
                    % len(orphans))
    return message + ' Their setting ids are in still_present.'


def partial_failure_message(outcome, planned_count):
    """Return the failure message of a run that erased some settings but not all, naming both by setting id."""
    erased = [r['setting_id'] for r in outcome.deleted + outcome.already_gone]
    not_erased = [r['setting_id'] for r in outcome.failed + outcome.not_attempted]
    message = ('%d of %d settings were erased and %d were not (%d failed, %d not attempted). Not erased: %s. '
               % (len(erased), planned_count, len(not_erased), len(outcome.failed), len(outcome.not_attempted),
                  _id_list(not_erased)))
    if outcome.stop_reason:
        message += 'The run stopped early because %s. ' % outcome.stop_reason
    if outcome.failed:
        message += 'First error: %s. ' % outcome.failed[0]['error']
    return message + ('Erased: %s. Fix the cause and run the same request again: it scans again and deletes only '
                      'what is left.' % _id_list(erased))


def _id_list(ids, limit=20):
    if not ids:
        return 'none'
    if len(ids) <= limit:
        return ', '.join(ids)
    return '%s and %d more' % (', '.join(ids[:limit]), len(ids) - limit)


def diff_of(planned, remaining, params):
    def lines(pairs):
        return ''.join('%s %s/%s/%s key=%s\n  %s\n' % (record['setting_id'], record['scope'], record['owner_id'],
                                                       record['group'], record['key'],
                                                       _common.masked_value(match, params))
                       for record, match in pairs)
    return {'before': lines(planned), 'after': lines(remaining),
            'before_header': 'settings containing the subjects', 'after_header': 'settings left'}


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)

    # Validate everything before touching Cassandra or GWS.
    subjects, matcher, profile, salt = _common.prepare_search(module)
    batch = _common.prepare_batch(module, subjects)
    headers = check_gws_params(module)
    params = module.params

    # Log in first, so wrong credentials fail before the scan and long before any delete.
    client = None
    if params['gws_url']:
        client = gws_client(module, headers)
        try:
            client.login()
        except _gws.GwsError as error:
            module.fail_json(msg='Cannot log in to GWS, nothing was deleted: %s' % error)

    cluster, session = _common.connect(module)
    try:
        scan_result = _common.run_scan(module, session, matcher, profile, keep_values=params['reveal_pii'] or module._diff)
        records = [_common.describe_match(match, salt, params, batch) for match in scan_result.matches]
        result = _common.summarize(subjects, scan_result, records, params, batch)
        result.update(planned=[], deleted=[], already_gone=[], failed_settings=[], not_attempted=[], verified=None,
                      not_in_plan=[], storage=[])
        # Rows outside the settings profile are only reported: this module erases settings through GWS.
        keyspace_result = _keyspace_scan.run_for_module(module, session, matcher, profile,
                                                        _common.token_slice_of(module), keep_values=False)
        _keyspace_scan.add_to_result(module, result, keyspace_result, salt, batch)

        # The scan must be complete before the first delete: a partial scan would erase some copies of
        # the subject's data and report success while others remain.
        if not scan_result.complete:
            module.fail_json(msg=_common.incomplete_scan_message(scan_result, params) + ' Nothing was deleted.',
                             **result)

        # Access requests only report their settings. With setting_ids, a setting found now but not in the
        # plan of the earlier search (new since then) is left for the next run.
        planned = [(record, match) for record, match in zip(records, scan_result.matches) if record['action'] == 'erase']
        if params['setting_ids'] is not None:
            approved = set(params['setting_ids'])
            result['not_in_plan'] = [record for record, match in planned if record['setting_id'] not in approved]
            planned = [(record, match) for record, match in planned if record['setting_id'] in approved]
        result['planned'] = [record for record, match in planned]
        if len(planned) > params['max_deletions']:
            module.fail_json(msg='%d settings would be deleted, more than max_deletions (%d); nothing was deleted. '
                                 'Check the matches, then raise max_deletions if they are right.'
                                 % (len(planned), params['max_deletions']), **result)
        if module._diff:
            result['diff'] = diff_of(planned, [], params)
        result['storage'] = _tombstones.table_storage(session, params['cassandra_keyspace'],
                                                      _tombstones.erased_per_table(result['planned'], []))
        if module.check_mode and client is not None and planned:
            probe_permissions(module, client, profile, planned, result)
        if module.check_mode or not planned:
            _common.exit_json(module, changed=bool(planned), **result)

        outcome = _erase.EraseOutcome()
        try:
            outcome = _erase.erase(client, profile, planned, outcome=outcome)
            finished_ids = set(r['setting_id'] for r in outcome.deleted + outcome.already_gone)
            finished = [(record, match) for record, match in planned if record['setting_id'] in finished_ids]
            still_present = verify(module, client, session, profile, matcher, finished)
            result['storage'] = _tombstones.table_storage(
                session, params['cassandra_keyspace'], _tombstones.erased_per_table(result['planned'], outcome.deleted),
                _tombstones.utc_now())
        except Exception as error:  # pylint: disable=broad-except
            # Once a delete was sent, the result must still list what was erased, whatever failed afterwards.
            done = set(r['setting_id'] for r in outcome.deleted + outcome.already_gone + outcome.failed)
            result.update(deleted=outcome.deleted, already_gone=outcome.already_gone, failed_settings=outcome.failed,
                          not_attempted=outcome.not_attempted + [r for r, m in planned if r['setting_id'] not in done])
            module.fail_json(msg='Unexpected %s after %d settings were erased; the rest were not attempted or not '
                                 'verified. Run again to finish.' % (type(error).__name__, len(outcome.deleted)),
                             changed=bool(outcome.deleted), **result)
    finally:
        cluster.shutdown()

    result.update(deleted=outcome.deleted, already_gone=outcome.already_gone, failed_settings=outcome.failed,
                  not_attempted=outcome.not_attempted,
                  verified=None if still_present is None else not still_present)
    if module._diff:
        failed_ids = set(r['setting_id'] for r in outcome.failed + outcome.not_attempted + (still_present or []))
        result['diff'] = diff_of(planned, [(r, m) for r, m in planned if r['setting_id'] in failed_ids], params)
    changed = bool(outcome.deleted)
    if outcome.failed or outcome.not_attempted:
        module.fail_json(msg=partial_failure_message(outcome, len(planned)), changed=changed, **result)
    if still_present:
        result['still_present'] = still_present
        module.fail_json(msg=still_present_message(still_present, outcome), changed=changed, **result)
    _common.exit_json(module, changed=changed, **result)


if __name__ == '__main__':
    main()
