# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Options shared by gdpr.gws.personal_data_info and gdpr.gws.personal_data: subjects, matching and Cassandra."""

    DOCUMENTATION = r'''
options:
  subjects:
    description:
      - E-mail addresses and phone numbers of the data subjects to look for.
      - E-mail addresses match as whole addresses, ignoring case.
      - Phone numbers match by number across formats (international, national, punctuation, C(tel:)),
        never by substring. National formats need O(default_region).
      - Anything that is neither an e-mail address nor a valid phone number is rejected.
      - Values are never returned or logged; results name subjects by a salted hash, see O(hash_salt).
    type: list
    elements: str
    required: true
    aliases: [search]
  default_region:
    description:
      - Two-letter region (ISO 3166-1 alpha-2, for example C(GB) or C(US)) used to read phone numbers
        written in national format, in O(subjects) and in the stored settings.
      - Without it, only international numbers (C(+44 ...), C(0044 ...)) can be read.
    type: str
  groups:
    description:
      - Settings groups to search, for example C(interaction-workspace-personal-favorites).
      - All groups when omitted.
    type: list
    elements: str
    aliases: [group_name]
  include_contact_center:
    description:
      - Treat contact-center settings (owned by the administrator, such as corporate favorites) as erasable.
      - When false, they are reported with RV(matches[].erasable=false) and left in place.
    type: bool
    default: false
  reveal_pii:
    description:
      - Return setting keys, values and subjects unmasked. Use only where the output is protected, for
        example to answer an access request.
    type: bool
    default: false
  hash_salt:
    description:
      - Secret used to derive subject and setting ids (HMAC-SHA256). Give the same salt to every task of one
        run so their ids agree; keep it in a vault.
      - A random salt is used when omitted, so ids differ between runs.
    type: str
  settings_profile:
    description:
      - Where settings live in Cassandra and how GWS deletes one. The default matches the lab layout, a table
        C(settings) with columns C(scope), C(owner_id), C(group_name), C(setting_key) and C(value).
      - Keys are C(tables) (list of C(name), C(scope_column) or C(scope), C(owner_column), C(group_column),
        C(key_column), C(value_column)), C(default_key_attribute), and C(requests) per scope (C(user),
        C(contact-center)) with C(groups), C(read) and C(delete) (C(method), C(url), C(body)).
    type: dict
  cassandra_hosts:
    description: Cassandra contact points.
    type: list
    elements: str
    default: ['127.0.0.1']
    aliases: [cass_hostname]
  cassandra_port:
    description: CQL native transport port. The original script used the Thrift port; Cassandra 4.0 removed Thrift.
    type: int
    default: 9042
    aliases: [cass_port]
  cassandra_keyspace:
    description: Keyspace of GWS.
    type: str
    default: sipfs
    aliases: [cass_keyspace]
  cassandra_username:
    description: Cassandra user name, for clusters with PasswordAuthenticator.
    type: str
  cassandra_password:
    description: Password of O(cassandra_username).
    type: str
  consistency_level:
    description: Consistency level of the reads.
    type: str
    default: LOCAL_QUORUM
    choices: [ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, LOCAL_ONE]
  cassandra_local_dc:
    description: Local data center name, for multi-data-center clusters.
    type: str
  cassandra_connect_timeout:
    description: Seconds to wait for a connection to a contact point.
    type: int
    default: 10
  cassandra_request_timeout:
    description: Seconds to wait for one page of a scan.
    type: int
    default: 60
  scan_concurrency:
    description: Number of token ranges read at the same time.
    type: int
    default: 4
  fetch_size:
    description: Rows per page of a token-range read.
    type: int
    default: 1000
  token_ranges:
    description: Number of token ranges each table is split into. A failed range is retried twice.
    type: int
    default: 64
requirements:
  - cassandra-driver >= 3.30.1
  - phonenumbers
notes:
  - The scan reads every row of the settings tables. Only settings that contain a subject are returned.
'''
