#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: personal_data_info
short_description: Find a data subject's personal data in GWS settings stored in Cassandra
version_added: 0.1.0
description:
  - Scans the GWS settings tables in Cassandra for the e-mail addresses and phone numbers of one or more
    data subjects and returns the settings that contain them.
  - Read-only. Results are masked unless O(reveal_pii=true).
  - Use it to plan a forget-me request, or with O(export_dir) to answer an access request.
  - With O(search_scope=keyspace) it also searches every text-like column of every other table of the keyspace
    and reports matches there in RV(unmapped_matches).
author:
  - gdpr.gws contributors (@gdpr-gws)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - gdpr.gws.search
options:
  export_dir:
    description:
      - Directory on the target host for access request exports (GDPR Art. 15). When set, the module writes
        one JSON file per request of type C(access) in O(requests), or, without O(requests), one file for all
        O(subjects). Each file holds the subject's matched settings in full, with keys and values, and with
        O(search_scope=keyspace) the matching rows outside the settings profile.
      - The files are the only place where the collection writes personal data. Each is created new with mode
        0600 (an existing file is never overwritten); a missing directory is created with mode 0700.
      - The scan must be complete and must cover the whole token ring, so O(token_slice) cannot be used with it.
    type: path
  export_request_id:
    description: Request id in the export file and its name when O(requests) is not given.
    type: str
    default: request
  export_run_id:
    description: Run id written into each export and, shortened to 8 characters, into its file name.
    type: str
attributes:
  check_mode:
    support: full
    details:
      - The module changes nothing in Cassandra or GWS, so check mode runs the same scan.
      - With O(export_dir), check mode writes no export and returns where each file would be written.
  diff_mode:
    support: none
  platform:
    platforms: posix
  action_group:
    membership: [gdpr.gws.all]
seealso:
  - module: gdpr.gws.personal_data
'''

EXAMPLES = r'''
- name: Find where a subject's e-mail address and phone number are stored
  gdpr.gws.personal_data_info:
    subjects:
      - jane.doe@example.com
      - "+44 20 7946 0958"
    default_region: GB
    cassandra_hosts: [cassandra1.example.com, cassandra2.example.com]
    cassandra_username: "{{ vault_cassandra_username }}"
    cassandra_password: "{{ vault_cassandra_password }}"
  register: found

- name: Show how many settings contain each subject
  ansible.builtin.debug:
    var: found.counts.per_subject

- name: Answer an access request; the export file is the only output with personal data
  gdpr.gws.personal_data_info:
    subjects:
      - jane.doe@example.com
    search_scope: keyspace
    export_dir: /srv/gdpr/access-exports
    export_request_id: DSR-2031
    cassandra_hosts: [cassandra1.example.com]
  register: access

- name: Show where the export was written
  ansible.builtin.debug:
    msg: "{{ access.exports | map(attribute='path') | list }}"

- name: Search for a batch of requests read from a request file, on this host's share of the token ranges
  gdpr.gws.personal_data_info:
    subjects: "{{ batch.subjects }}"
    requests: "{{ batch.requests }}"
    token_slice: "{{ (groups['gdpr_runners'].index(inventory_hostname) + 1) ~ '/' ~ (groups['gdpr_runners'] | length) }}"
    hash_salt: "{{ vault_gdpr_hash_salt }}"
  vars:
    batch: "{{ lookup('ansible.builtin.file', 'requests.yml') | gdpr.gws.request_batch(default_region='GB') }}"
  register: found_slice

- name: Search personal favorites only, with the original script's option names
  gdpr.gws.personal_data_info:
    search: jane.doe@example.com
    group_name: interaction-workspace-personal-favorites
    cass_hostname: [localhost]
    cass_port: 9042
    cass_keyspace: sipfs
'''

RETURN = r'''
subjects:
  description: The subjects searched for, by id. Values are masked unless O(reveal_pii=true).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "subj-3f1c0a9e5b7d2c41", "kind": "email", "masked": "j***@e***.com"}]
matches:
  description: Settings that contain at least one subject.
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
      description: Whether GWS can delete this setting with the settings profile, see RV(matches[].reason).
      type: bool
    requests:
      description: Ids of the requests of O(requests) whose subjects are in this setting; empty without O(requests).
      type: list
      elements: str
    action:
      description:
        - C(erase) when gdpr.gws.personal_data would delete this setting (it is erasable and, with O(requests),
          belongs to a forget request), C(report) otherwise.
      type: str
      choices: [erase, report]
    reason:
      description: Why the setting is not erasable, or null.
      type: str
    value:
      description: The stored setting, only when O(reveal_pii=true).
      type: str
      returned: when O(reveal_pii=true)
counts:
  description: Rows scanned and matches in total, per subject id and per settings group.
  returned: always
  type: dict
  sample: {"rows_scanned": 300, "matches": 12, "erasable": 11, "not_erasable": 1,
           "per_subject": {"subj-3f1c0a9e5b7d2c41": 7}, "per_group": {"interaction-workspace-personal-favorites": 9}}
requests:
  description:
    - Per request of O(requests), its id, type, subject ids, counts of settings found (C(matches)), erasable and to
      erase (C(to_erase)), and the ids of its settings. Empty without O(requests).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "REQ-2026-0001", "type": "forget", "subjects": ["subj-3f1c0a9e5b7d2c41"],
            "counts": {"matches": 3, "erasable": 3, "to_erase": 3}, "setting_ids": ["set-8d2f4b1c9a0e7d35"]}]
scan:
  description: How the scan went, with O(token_slice) when given. Only a complete scan may be used to erase.
  returned: always
  type: dict
  sample: {"complete": true, "keyspace": "sipfs", "tables": ["sipfs.settings"], "token_ranges": 64,
           "token_ranges_done": 64, "failed_ranges": [], "duration_seconds": 0.42}
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
exports:
  description: The access exports of this run, one per access request, without their content. Empty without O(export_dir).
  returned: always
  type: list
  elements: dict
  contains:
    request_id:
      description: The access request.
      type: str
    path:
      description: The export file on the target host.
      type: str
      sample: /srv/gdpr/access-exports/access-DSR-2031-2c92e329-20260301T101500Z-3f2a9c1d.json
    written:
      description: Whether the file was written; false in check mode.
      type: bool
    mode:
      description: File mode of the export.
      type: str
      sample: '0600'
    settings:
      description: Number of settings in the export.
      type: int
    other_rows:
      description: Number of rows outside the settings profile in the export.
      type: int
    bytes:
      description: Size of the file.
      type: int
      returned: when written
    sha256:
      description: SHA-256 of the file, to show later that the file sent is the one written.
      type: str
      returned: when written
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gdpr.gws.plugins.module_utils import _access_export
from ansible_collections.gdpr.gws.plugins.module_utils import _common
from ansible_collections.gdpr.gws.plugins.module_utils import _keyspace_scan
from ansible_collections.gdpr.gws.plugins.module_utils._masking import warn_masked
from ansible_collections.gdpr.gws.plugins.module_utils._tombstones import TIME_FORMAT, utc_now


def argument_spec():
    spec = _common.search_argument_spec()
    spec.update(
        export_dir=dict(type='path'),
        export_request_id=dict(type='str', default='request'),
        export_run_id=dict(type='str'),
    )
    return spec


def access_requests(module, subjects, batch):
    """Return (request id, subject ids) for each access request to export."""
    if batch is None:
        return [(module.params['export_request_id'], [subject.subject_id for subject in subjects])]
    return [(request['id'], batch.subjects_of_request.get(request['id'], []))
            for request in batch.requests if request['type'] == 'access']


def write_exports(module, subjects, batch, scan_result, keyspace_result):
    """Write one export file per access request into export_dir; return each file's path and counts.

    In check mode nothing is written, and each entry gives the path the file would have.
    """
    params = module.params
    if params['token_slice']:
        module.fail_json(msg='export_dir needs a scan of the whole token ring; leave token_slice unset for the export')
    complete = scan_result.complete and (keyspace_result is None or keyspace_result.complete)
    if not complete:
        module.fail_json(msg='The scan is incomplete, so no access export was written: an export must contain every '
                             'setting of the subject. Check the nodes (nodetool status) and run again.')
    generated = utc_now().strftime(TIME_FORMAT)
    rows = keyspace_result.matches if keyspace_result is not None else []
    try:
        documents = _access_export.documents_for_requests(
            access_requests(module, subjects, batch), subjects, scan_result.matches, rows,
            params['cassandra_keyspace'], generated, run_id=params['export_run_id'], complete=complete)
    except _access_export.ExportError as error:
        module.fail_json(msg='No access export was written: %s' % error)

    exports = []
    for request_id, document in documents:
        path = os.path.join(params['export_dir'], _access_export.export_file_name(request_id, generated,
                                                                                  params['export_run_id']))
        exports.append({'request_id': request_id, 'path': path, 'written': False, 'mode': '0600',
                        'settings': len(document['settings']), 'other_rows': len(document['other_rows'])})
    if module.check_mode:
        return exports

    # All files or none: a failed run must not leave an export behind that its result does not list.
    try:
        written = _access_export.write_exports([(entry['path'], document)
                                                for entry, (request_id, document) in zip(exports, documents)])
    except _access_export.ExportError as error:
        module.fail_json(msg='Access export failed, so no export of this run is kept: %s' % error)
    for entry, file_info in zip(exports, written):
        if file_info.pop('warning'):
            warn_masked(module, 'The access export directory %s can be listed by other users; mode 0700 is recommended.'
                                % params['export_dir'])
        entry.update(file_info, written=True)
    return exports


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)

    subjects, matcher, profile, salt = _common.prepare_search(module)
    batch = _common.prepare_batch(module, subjects)
    # Values are kept in memory only when they are returned or exported.
    keep_values = module.params['reveal_pii'] or bool(module.params['export_dir'])

    cluster, session = _common.connect(module)
    try:
        scan_result = _common.run_scan(module, session, matcher, profile, keep_values=keep_values)
        keyspace_result = _keyspace_scan.run_for_module(module, session, matcher, profile,
                                                        _common.token_slice_of(module), keep_values=keep_values)
    finally:
        cluster.shutdown()

    records = [_common.describe_match(match, salt, module.params, batch) for match in scan_result.matches]
    result = _common.summarize(subjects, scan_result, records, module.params, batch)
    _keyspace_scan.add_to_result(module, result, keyspace_result, salt, batch)
    if not scan_result.complete:
        warn_masked(module, 'The scan is incomplete: %d token ranges could not be read, so matches may be missing.'
                            % len(scan_result.failed_ranges))

    # The export is written by the module itself: values in a module result would pass through no_log
    # masking, which replaces every string equal to a subject with '********'.
    result['exports'] = write_exports(module, subjects, batch, scan_result, keyspace_result) \
        if module.params['export_dir'] else []
    _common.exit_json(module, changed=any(export['written'] for export in result['exports']), **result)


if __name__ == '__main__':
    main()
