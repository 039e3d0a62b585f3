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
author:
  - gdpr.gws contributors (@gdpr-gws)
extends_documentation_fragment:
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
attributes:
  check_mode:
    support: full
    details:
      - Runs the full scan and reports the planned deletes in RV(planned) with the same C(changed) as a real run.
      - Sends no change to GWS. When O(gws_url) is given, it logs in with a GET to check the credentials.
  diff_mode:
    support: full
    details: The diff shows the settings to delete, masked unless O(reveal_pii=true).
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
  description: Settings found by the scan, as in gdpr.gws.personal_data_info.
  returned: always
  type: list
  elements: dict
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
'''

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.gdpr.gws.plugins.module_utils import _common
from ansible_collections.gdpr.gws.plugins.module_utils import _erase
from ansible_collections.gdpr.gws.plugins.module_utils import _gws
from ansible_collections.gdpr.gws.plugins.module_utils import _scan


def argument_spec():
    spec = _common.search_argument_spec()
    spec.update(
        state=dict(type='str', default='absent', choices=['absent']),
        max_deletions=dict(type='int', default=100),
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
        if not (url.startswith('http://') or url.startswith('https://')) or len(url) < 10:
            module.fail_json(msg='gws_url must start with http:// or https://, for example https://gws.example.com:8443')
        if any(ch in url for ch in ' \r\n\t\x00?#'):
            module.fail_json(msg='gws_url must be a base URL without spaces, query or fragment')
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
    return _common.parse_headers(module, params['gws_headers'])


def gws_client(module, headers):
    params = module.params
    verify = params['validate_certs']
    if verify and params['ca_path']:
        verify = params['ca_path']
    if not params['validate_certs'] and params['gws_url'].startswith('https://'):
        module.warn('validate_certs is false: the GWS certificate is not checked, so the GWS password could '
                    'be sent to an impostor. Use ca_path instead outside a lab.')
    return _gws.GwsClient(params['gws_url'], params['gws_username'], params['gws_password'], headers=headers,
                          verify=verify, timeout=params['gws_timeout'], retries=params['gws_retries'],
                          warn=module.warn)


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
        scan_result = _common.run_scan(module, session, matcher, profile)
        records = [_common.describe_match(match, salt, params) for match in scan_result.matches]
        result = _common.summarize(subjects, scan_result, records, params)
        result.update(planned=[], deleted=[], already_gone=[], failed_settings=[], not_attempted=[], verified=None)

        # The scan must be complete before the first delete: a partial scan would erase some copies of
        # the subject's data and report success while others remain.
        if not scan_result.complete:
            module.fail_json(msg='The scan is incomplete (%d token ranges failed), so nothing was deleted. Check '
                                 'Cassandra and run again.' % len(scan_result.failed_ranges), **result)

        planned = [(record, match) for record, match in zip(records, scan_result.matches) if record['erasable']]
        result['planned'] = [record for record, match in planned]
        if len(planned) > params['max_deletions']:
            module.fail_json(msg='%d settings would be deleted, more than max_deletions (%d); nothing was deleted. '
                                 'Check the matches, then raise max_deletions if they are right.'
                                 % (len(planned), params['max_deletions']), **result)
        if module._diff:
            result['diff'] = diff_of(planned, [], params)
        if module.check_mode or not planned:
            module.exit_json(changed=bool(planned), **result)

        outcome = _erase.erase(client, profile, planned)
        finished_ids = set(r['setting_id'] for r in outcome.deleted + outcome.already_gone)
        finished = [(record, match) for record, match in planned if record['setting_id'] in finished_ids]
        row_lookup = _scan.RowLookup(session, params['cassandra_keyspace'], profile, matcher)
        try:
            still_present = _erase.verify(client, profile, finished, row_lookup if row_lookup.usable else None)
        except _gws.GwsError as error:
            still_present = None
            module.warn('The deletes were sent, but reading the settings back failed: %s' % error)
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
        module.fail_json(msg='%d of %d settings were erased; %d failed and %d were not attempted. First error: %s. '
                             'Run again to finish: settings already erased are not found again.'
                             % (len(outcome.deleted) + len(outcome.already_gone), len(planned), len(outcome.failed),
                                len(outcome.not_attempted), outcome.failed[0]['error'] if outcome.failed else 'none'),
                         changed=changed, **result)
    if still_present:
        result['still_present'] = still_present
        module.fail_json(msg='%d settings were deleted through GWS but are still present when read back.'
                             % len(still_present), changed=changed, **result)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()
