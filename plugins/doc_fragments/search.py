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
      - Without it, international numbers (C(+44 ...), C(0044 ...)) are read, and a national number only
        when it starts with the trunk prefix of the subject's own region (C(020 7946 0958) for a UK subject).
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
      - Where settings live in Cassandra and how GWS deletes one. GWS 8.5 documents neither, so check your
        cluster (C(DESCRIBE TABLE) in cqlsh, C(GET /api/v2/users/{id}/settings?fields=*)) and write a profile when
        the default does not fit. The README of the collection shows how.
      - The default matches the lab, a table C(settings) with columns C(scope), C(owner_id), C(group_name),
        C(setting_key) and C(value), deleted with C(DELETE /api/v2/users/{owner_id}/settings/{group}) and the body
        C({"{key_attribute}":"{key}"}).
      - C(tables) is a non-empty list. Each entry has C(name) and the columns that hold the owner id
        (C(owner_column)), the settings group (C(group_column)), the setting key (C(key_column)) and the value
        (C(value_column)), plus either C(scope_column), a column that holds C(user) or C(contact-center), or
        C(scope), the one scope of every row of the table. Key and value columns may be text or blob.
      - C(default_key_attribute) is the key attribute of a group that GWS lists without one (default C(name)).
      - C(requests) has an entry per scope, C(user) and C(contact-center), each with C(groups) (URL that lists
        the groups with their key attribute), C(read) (URL that lists one group's settings) and C(delete) with
        C(method) (C(DELETE), C(POST) or C(PUT)), C(url) and C(body), a mapping whose keys and values may use
        the placeholders C({key_attribute}), C({key}), C({owner_id}) and C({group}) and must contain C({key}).
        URLs may use C({owner_id}) and C({group}), which are percent-encoded.
      - The profile is checked before the scan; an error names the field at fault, for example
        C(profile.tables[0].owner_column).
    type: dict
  search_scope:
    description:
      - C(settings) searches the key and value columns of the profile's settings tables.
      - C(keyspace) also searches every text-like column (C(text), C(varchar), C(ascii), collections, tuples and
        user-defined types with text inside, and C(blob) values read as UTF-8 with invalid bytes replaced) of
        every other table of the keyspace, and the text-like columns of the settings tables that the profile does
        not map. Rows found
        there are reported in RV(unmapped_matches) as found, not erasable by this collection, with their table
        and masked primary key. It reads every table of the keyspace, so it takes longer.
    type: str
    default: settings
    choices: [settings, keyspace]
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
  cassandra_ssl:
    description:
      - Connect to Cassandra with TLS (C(client_encryption_options) on the nodes).
    type: bool
    default: false
  cassandra_ca_path:
    description:
      - PEM file of the CA that signed the Cassandra node certificates. Needs O(cassandra_ssl=true).
      - The system CAs are used when omitted.
    type: path
  cassandra_validate_certs:
    description:
      - Check the Cassandra node certificates against O(cassandra_ca_path) and the address connected to.
      - The driver resolves host names and checks the IP address it connects to, so node certificates
        need the node's IP address as a subject alternative name.
      - Turn off only in a lab; the module then warns.
    type: bool
    default: true
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
    description: Number of token ranges read at the same time, by all O(scan_processes) together.
    type: int
    default: 4
  scan_processes:
    description:
      - Number of processes that read and match the token ranges of the settings tables. Each opens its own
        Cassandra connection and reads with its share of the O(scan_concurrency) threads.
      - Matching runs in Python, one core per process. More processes help when the host running the module has
        cores to spare, that is, when it is not also a busy Cassandra node.
      - Needs Linux; elsewhere the scan runs in one process, with a warning. The scan of O(search_scope=keyspace)
        always runs in one process.
      - At most O(scan_concurrency).
    type: int
    default: 1
  fetch_size:
    description: Rows per page of a token-range read.
    type: int
    default: 1000
  token_ranges:
    description:
      - Number of token ranges each table is split into (evenly, over the whole Murmur3 ring). A failed range is
        retried twice; if it still fails the scan is incomplete, and M(gdpr.gws.personal_data) deletes nothing.
    type: int
    default: 64
  token_slice:
    description:
      - Scan only slice C(i) of C(n) of the token ranges, written C(i/n) (for example C(2/3)), so that C(n) hosts
        can share one large scan. Slice C(i) is every C(n)-th range starting with range C(i); the C(n) slices
        together are the whole ring. Merge the hosts' results; the forget_me role does that.
      - The whole ring when omitted.
    type: str
  progress_file:
    description:
      - File on the host running the module that the scan rewrites about once a second with its progress, as
        JSON (token ranges done and failed, rows read, settings found, seconds). It never contains personal data.
      - The forget_me role runs the scan as an async task and shows this file while it runs.
    type: path
  requests:
    description:
      - The requests of a batch. Each has C(id) (a ticket id), C(type) (C(forget) or C(access)) and C(subjects),
        the indexes (from 0) of its subjects in O(subjects). Every subject must belong to a request.
      - Results then name the requests of each setting in C(matches[].requests), count per request in
        C(requests), and M(gdpr.gws.personal_data) erases only settings of forget requests.
      - The gdpr.gws.request_batch filter builds O(subjects) and O(requests) from a request file.
      - When omitted, all subjects form one forget request.
    type: list
    elements: dict
requirements:
  - cassandra-driver >= 3.30.1
  - phonenumbers
  - pyahocorasick >= 2.0 (optional; with many phone subjects, the scan's pre-filter needs less CPU)
notes:
  - The scan reads every row of the settings tables. Only settings that contain a subject are returned.
'''
