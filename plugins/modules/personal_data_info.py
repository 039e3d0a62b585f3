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
  - Use it to plan a forget-me request, or with O(reveal_pii=true) to answer an access request.
author:
  - gdpr.gws contributors (@gdpr-gws)
extends_documentation_fragment:
  - gdpr.gws.search
attributes:
  check_mode:
    support: full
    details: The module never changes anything, so check mode runs the same scan.
  diff_mode:
    support: none
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
      description: Whether gdpr.gws.personal_data would delete this setting.
      type: bool
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
scan:
  description: How the scan went. Only a complete scan may be used to erase.
  returned: always
  type: dict
  sample: {"complete": true, "keyspace": "sipfs", "tables": ["sipfs.settings"], "token_ranges": 64,
           "token_ranges_done": 64, "failed_ranges": [], "duration_seconds": 0.42}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gdpr.gws.plugins.module_utils import _common


def main():
    module = AnsibleModule(argument_spec=_common.search_argument_spec(), supports_check_mode=True)

    subjects, matcher, profile, salt = _common.prepare_search(module)

    cluster, session = _common.connect(module)
    try:
        scan_result = _common.run_scan(module, session, matcher, profile)
    finally:
        cluster.shutdown()

    records = [_common.describe_match(match, salt, module.params) for match in scan_result.matches]
    result = _common.summarize(subjects, scan_result, records, module.params)
    if not scan_result.complete:
        module.warn('The scan is incomplete: %d token ranges could not be read, so matches may be missing.'
                    % len(scan_result.failed_ranges))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
