# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument specs, input checks and result shaping shared by the gdpr.gws modules.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import hashlib
import hmac
import json
import os
import re
import ssl
from collections.abc import Mapping

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.gdpr.gws.plugins.module_utils import _progress
from ansible_collections.gdpr.gws.plugins.module_utils import _requests
from ansible_collections.gdpr.gws.plugins.module_utils import _scan
from ansible_collections.gdpr.gws.plugins.module_utils import _subjects
from ansible_collections.gdpr.gws.plugins.module_utils._masking import mask_json, mask_value, warn_masked
from ansible_collections.gdpr.gws.plugins.module_utils._matching import HAS_AHOCORASICK, Matcher
from ansible_collections.gdpr.gws.plugins.module_utils._profile import (
    SCOPE_CONTACT_CENTER, ProfileError, load_profile)

_KEYSPACE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_]{0,47}$')
_GROUP = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$')
_HOST = re.compile(r'^[A-Za-z0-9._:\[\]-]{1,253}$')
_TOKEN_SLICE = re.compile(r'^([0-9]+)/([0-9]+)$')
# Headers that gws_headers may not set, because they would replace the login, the session or the framing.
_RESERVED_HEADERS = ('authorization', 'cookie', 'host', 'content-length', 'transfer-encoding', 'connection')

if HAS_AHOCORASICK:
    import ahocorasick


def search_argument_spec():
    """Return the options both modules share: subjects, matching, masking and the Cassandra connection."""
    return dict(
        subjects=dict(type='list', elements='str', required=True, no_log=True, aliases=['search']),
        default_region=dict(type='str'),
        groups=dict(type='list', elements='str', aliases=['group_name']),
        include_contact_center=dict(type='bool', default=False),
        reveal_pii=dict(type='bool', default=False),
        hash_salt=dict(type='str', no_log=True),
        settings_profile=dict(type='dict'),
        search_scope=dict(type='str', default='settings', choices=['settings', 'keyspace']),
        cassandra_hosts=dict(type='list', elements='str', default=['127.0.0.1'], aliases=['cass_hostname']),
        cassandra_port=dict(type='int', default=9042, aliases=['cass_port']),
        cassandra_keyspace=dict(type='str', default='sipfs', aliases=['cass_keyspace'], no_log=False),
        cassandra_username=dict(type='str'),
        cassandra_password=dict(type='str', no_log=True),
        cassandra_ssl=dict(type='bool', default=False),
        cassandra_ca_path=dict(type='path'),
        cassandra_validate_certs=dict(type='bool', default=True),
        consistency_level=dict(type='str', default='LOCAL_QUORUM', choices=list(_scan.READ_CONSISTENCY_LEVELS)),
        cassandra_local_dc=dict(type='str'),
        cassandra_connect_timeout=dict(type='int', default=10),
        cassandra_request_timeout=dict(type='int', default=60),
        scan_concurrency=dict(type='int', default=4),
        scan_processes=dict(type='int', default=1),
        fetch_size=dict(type='int', default=1000),
        token_ranges=dict(type='int', default=64, no_log=False),
        token_slice=dict(type='str', no_log=False),
        progress_file=dict(type='path'),
        requests=dict(type='list', elements='dict'),
    )


def check_search_params(module):
    """Fail the module, naming the option, when a search or connection option is out of range."""
    params = module.params
    hosts = params['cassandra_hosts'] or []
    if not hosts:
        module.fail_json(msg='cassandra_hosts must name at least one contact point')
    for index, host in enumerate(hosts):
        if not _HOST.fullmatch(host or ''):
            module.fail_json(msg='cassandra_hosts[%d] is not a valid host name or IP address' % index)
        if host.count(':') == 1:
            module.fail_json(msg='cassandra_hosts[%d] contains a port; give the host alone and the port in '
                                 'cassandra_port' % index)
    if not 1 <= params['cassandra_port'] <= 65535:
        module.fail_json(msg='cassandra_port must be between 1 and 65535, got %d' % params['cassandra_port'])
    if not _KEYSPACE.fullmatch(params['cassandra_keyspace'] or ''):
        module.fail_json(msg="cassandra_keyspace must be a Cassandra identifier (letters, digits and '_')")
    for index, group in enumerate(params['groups'] or []):
        if not _GROUP.fullmatch(group or ''):
            module.fail_json(msg="groups[%d] is not a valid settings group name (letters, digits, '.', '_' and "
                                 "'-'; no '/' or spaces)" % index)
    if params['cassandra_password'] and not params['cassandra_username']:
        module.fail_json(msg='cassandra_password is set but cassandra_username is not')
    check_cassandra_tls_params(module)
    for name in ('cassandra_connect_timeout', 'cassandra_request_timeout', 'scan_concurrency', 'scan_processes',
                 'fetch_size', 'token_ranges'):
        if params[name] < 1:
            module.fail_json(msg='%s must be at least 1, got %d' % (name, params[name]))
    if params['scan_concurrency'] > 64:
        module.fail_json(msg='scan_concurrency must be at most 64, got %d' % params['scan_concurrency'])
    if params['scan_processes'] > params['scan_concurrency']:
        module.fail_json(msg='scan_processes (%d) must be at most scan_concurrency (%d), because each process reads '
                             'at least one token range at a time' % (params['scan_processes'], params['scan_concurrency']))
    if params['fetch_size'] > 100000:
        module.fail_json(msg='fetch_size must be at most 100000, got %d' % params['fetch_size'])
    if params['token_ranges'] > 65536:
        module.fail_json(msg='token_ranges must be at most 65536, got %d' % params['token_ranges'])
    token_slice_of(module)


def check_cassandra_tls_params(module):
    """Fail the module when the Cassandra TLS options contradict each other or the CA file is unusable."""
    params = module.params
    if params['cassandra_ca_path'] and not params['cassandra_ssl']:
        module.fail_json(msg='cassandra_ca_path is set but cassandra_ssl is false; set cassandra_ssl: true to '
                             'connect to Cassandra with TLS')
    if not params['cassandra_validate_certs'] and not params['cassandra_ssl']:
        module.fail_json(msg='cassandra_validate_certs is false but cassandra_ssl is false, so there is no '
                             'certificate to check; set cassandra_ssl: true to connect with TLS')

    if params['cassandra_ca_path']:
        if not os.path.isfile(params['cassandra_ca_path']):
            module.fail_json(msg='cassandra_ca_path %s is not a readable file' % params['cassandra_ca_path'])
        # Load it once here, so that a wrong file fails before the module logs in to GWS.
        _load_ca(module, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), params['cassandra_ca_path'])


def token_slice_of(module):
    """Return token_slice as (index, total), or None; fail the module when it is not 'i/n' with 1 <= i <= n."""
    value = module.params.get('token_slice')
    if value in (None, ''):
        return None
    match = _TOKEN_SLICE.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        module.fail_json(msg="token_slice must be 'i/n' with 1 <= i <= n, for example '2/3' for the second of three "
                             "hosts, got '%s'" % value[:20])
    index, total = int(match.group(1)), int(match.group(2))
    if total > module.params['token_ranges']:
        module.fail_json(msg='token_slice %d/%d has more slices than token_ranges (%d); raise token_ranges to at '
                             'least %d' % (index, total, module.params['token_ranges'], total))
    return index, total


def ensure_libraries(module):
    """Fail with missing_required_lib when a Python library the scan needs is missing on the target."""
    if not _scan.HAS_CASSANDRA_DRIVER:
        module.fail_json(msg=missing_required_lib('cassandra-driver'), exception=_scan.CASSANDRA_DRIVER_IMPORT_ERROR)
    if not _subjects.HAS_PHONENUMBERS:
        module.fail_json(msg=missing_required_lib('phonenumbers'), exception=_subjects.PHONENUMBERS_IMPORT_ERROR)


def salt_of(params):
    """Return the salt for subject and setting ids; random per run unless hash_salt is given."""
    if params.get('hash_salt'):
        return to_bytes(params['hash_salt'])
    return os.urandom(32)


def setting_id(salt, match):
    """Return a stable id for one setting that does not reveal its key."""
    identity = '\x1f'.join((match['table'], match['scope'], match['owner_id'], match['group'], match['key']))
    digest = hmac.new(salt, to_bytes(identity), hashlib.sha256).hexdigest()
    return 'set-' + digest[:16]


def prepare_search(module):
    """Check the options and return (subjects, matcher, profile, salt), failing the module on bad input."""
    ensure_libraries(module)
    check_search_params(module)
    params = module.params
    salt = salt_of(params)
    try:
        subjects = _subjects.parse_subjects(params['subjects'], default_region=params['default_region'], salt=salt)
    except _subjects.SubjectError as error:
        module.fail_json(msg=str(error))
    try:
        profile = load_profile(params['settings_profile'])
    except ProfileError as error:
        module.fail_json(msg='settings_profile is invalid: %s' % error)
    if not params['default_region'] and any(subject.kind == _subjects.KIND_PHONE for subject in subjects):
        warn_masked(module, 'default_region is not set, so a phone number stored in national format is found only '
                            'with the trunk prefix of its own region (020 7946 0958 for a UK number, but not (202) '
                            '555-0143 for a US number); set default_region to the region where the agents work.')
    return subjects, Matcher(subjects, default_region=params['default_region']), profile, salt


class Batch(object):
    """The requests of a run and, for each subject id, the ids of the requests that name it."""

    def __init__(self, requests, subjects):
        self.requests = requests
        self.type_of = dict((request['id'], request['type']) for request in requests)
        self.requests_of_subject = _requests.requests_by_subject(requests, subjects)
        self.subjects_of_request = {}
        for subject_id, request_ids in self.requests_of_subject.items():
            for request_id in request_ids:
                self.subjects_of_request.setdefault(request_id, []).append(subject_id)

    def request_ids(self, subject_ids):
        return sorted(set(request_id for subject_id in subject_ids
                          for request_id in self.requests_of_subject.get(subject_id, ())))


def prepare_batch(module, subjects):
    """Return the Batch of the requests option, or None without it; fail the module on invalid requests."""
    if module.params['requests'] is None:
        return None
    try:
        requests = _requests.check_module_requests(module.params['requests'], len(module.params['subjects']))
    except _requests.RequestError as error:
        module.fail_json(msg='requests is invalid: %s' % error)
    return Batch(requests, subjects)


def cassandra_ssl_context(module, warn=True):
    """Return the SSLContext for client TLS to Cassandra, or None when cassandra_ssl is false.

    With cassandra_validate_certs the node certificate must chain to cassandra_ca_path (or the system
    CAs) and name the address the driver connects to: the driver resolves host names and checks the
    IP address, so node certificates need IP subject alternative names.
    """
    params = module.params
    if not params['cassandra_ssl']:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not params['cassandra_validate_certs']:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if warn:
            warn_masked(module, 'cassandra_validate_certs is false: the Cassandra certificate is not checked, so '
                                'the Cassandra password could be sent to an impostor. Use cassandra_ca_path instead '
                                'outside a lab.')
        return context
    if params['cassandra_ca_path']:
        _load_ca(module, context, params['cassandra_ca_path'])
    else:
        context.load_default_certs()
    return context


def _load_ca(module, context, path):
    try:
        context.load_verify_locations(cafile=path)
    except (ssl.SSLError, OSError) as error:
        module.fail_json(msg='cassandra_ca_path %s is not a PEM CA certificate: %s'
                             % (path, getattr(error, 'reason', None) or type(error).__name__))


def connect_arguments(module, warn=True):
    """Return the keyword arguments of _scan.connect() for the module options; warn=False skips the TLS warning."""
    params = module.params
    return dict(hosts=params['cassandra_hosts'], port=params['cassandra_port'], username=params['cassandra_username'],
                password=params['cassandra_password'], consistency_level=params['consistency_level'],
                local_dc=params['cassandra_local_dc'], connect_timeout=params['cassandra_connect_timeout'],
                request_timeout=params['cassandra_request_timeout'], ssl_context=cassandra_ssl_context(module, warn))


def connect(module):
    """Open a Cassandra session from the module options; the caller shuts the cluster down."""
    try:
        return _scan.connect(**connect_arguments(module))
    except _scan.ScanError as error:
        module.fail_json(msg=str(error))


def incomplete_scan_message(scan_result, params):
    """Return what an incomplete scan missed: token ranges per table, the errors and the contact points."""
    tables = sorted(set(failed['table'] for failed in scan_result.failed_ranges))
    errors = sorted(set(failed['error'] for failed in scan_result.failed_ranges))
    message = ('The scan is incomplete: %d of %d token ranges of %s could not be read from Cassandra at %s (port %d); '
               'errors: %s. Check the nodes (nodetool status) and run again; raise cassandra_request_timeout if the '
               'reads timed out.'
               % (len(scan_result.failed_ranges), scan_result.ranges_total, ', '.join(tables) or 'the keyspace',
                  ', '.join(params['cassandra_hosts']), params['cassandra_port'], ', '.join(errors) or 'unknown'))
    if set(errors) & set(('ScanWorkerExited', 'ScanWorkerStalled')):
        message += (' ScanWorkerExited or ScanWorkerStalled: a worker process of scan_processes ended or stopped '
                    'reporting before it finished its ranges (for example, killed for lack of memory); run again, '
                    'with fewer scan_processes if it repeats.')
    return message


def stall_timeout(params):
    """Return the seconds without any report after which the scan gives up on its worker processes.

    A healthy worker reports each page, and a page with its retries takes at most about three
    request timeouts and the retry delays, so twice that plus a minute is a generous bound.
    """
    return 2 * (3 * params['cassandra_request_timeout'] + 3 * _scan.RETRY_DELAY) + 60


def run_scan(module, session, matcher, profile, keep_values=True):
    """Scan the profile's tables and return the ScanResult; connection and schema errors fail the module.

    With progress_file, the scan's progress is written to that file while it runs.
    """
    params = module.params
    reconnect = functools.partial(_scan.connect, **connect_arguments(module, warn=False))
    if params['scan_processes'] > 1 and not _scan.can_fork():
        warn_masked(module, 'scan_processes is %d, but worker processes need Linux; the scan runs in this process'
                            % params['scan_processes'])
    try:
        return _scan.scan(session, params['cassandra_keyspace'], profile, matcher, groups=params['groups'],
                          concurrency=params['scan_concurrency'], fetch_size=params['fetch_size'],
                          split_count=params['token_ranges'], token_slice=token_slice_of(module),
                          progress=_progress.writer(params['progress_file'], params['token_slice']),
                          keep_values=keep_values, processes=params['scan_processes'], reconnect=reconnect,
                          stall_timeout=stall_timeout(params))
    except _scan.ScanError as error:
        module.fail_json(msg=str(error))
    except _scan.READ_ERRORS as error:
        # The scan catches read errors per token range; this is a failure while preparing it.
        module.fail_json(msg='Cassandra at %s (port %d) failed while preparing the scan of keyspace %s: %s. Check '
                             'the nodes and run again.' % (', '.join(params['cassandra_hosts']), params['cassandra_port'],
                                                           params['cassandra_keyspace'], type(error).__name__))


def describe_match(match, salt, params, batch=None):
    """Shape one matching row for the result: ids and masked key, the value only with reveal_pii.

    action is 'erase' when personal_data deletes the setting: it is erasable and, with a batch,
    one of its requests is a forget request. action is 'report' otherwise.
    """
    reveal = params['reveal_pii']
    record = {
        'setting_id': setting_id(salt, match),
        'table': match['table'],
        'scope': match['scope'],
        'owner_id': match['owner_id'],
        'group': match['group'],
        'key': match['key'] if reveal else mask_value(match['key']),
        'subjects': sorted(set(subject for subject, location in match['hits'])),
        'locations': sorted(set(location for subject, location in match['hits'])),
        'erasable': True,
        'reason': None,
    }
    if match['scope'] == SCOPE_CONTACT_CENTER and not params['include_contact_center']:
        record['erasable'] = False
        record['reason'] = ('contact-center setting, owned by the administrator; set include_contact_center '
                            'to erase it')
    elif match['scope'] not in ('user', SCOPE_CONTACT_CENTER):
        record['erasable'] = False
        record['reason'] = 'unknown scope; the settings profile does not say how to delete it'
    record['requests'] = batch.request_ids(record['subjects']) if batch else []
    forget = batch is None or any(batch.type_of[request_id] == _requests.TYPE_FORGET
                                  for request_id in record['requests'])
    record['action'] = 'erase' if record['erasable'] and forget else 'report'
    if reveal:
        record['value'] = match['value']
    return record


def masked_value(match, params):
    """Return the setting value for a diff: as stored with reveal_pii, masked otherwise."""
    return match['value'] if params['reveal_pii'] else mask_json(match['value'])


def summarize(subjects, scan_result, records, params, batch=None):
    """Return the result fields both modules report: subjects, matches, counts, scan and requests."""
    per_subject = dict((subject.subject_id, 0) for subject in subjects)
    per_group = {}
    for record in records:
        for subject in record['subjects']:
            per_subject[subject] = per_subject.get(subject, 0) + 1
        per_group[record['group']] = per_group.get(record['group'], 0) + 1
    erasable = sum(1 for record in records if record['erasable'])
    return {
        'subjects': [{'id': s.subject_id, 'kind': s.kind, 'masked': s.normalized if params['reveal_pii'] else s.masked}
                     for s in subjects],
        'matches': records,
        'counts': {
            'rows_scanned': scan_result.rows_scanned,
            'matches': len(records),
            'erasable': erasable,
            'not_erasable': len(records) - erasable,
            'per_subject': per_subject,
            'per_group': per_group,
        },
        'scan': {
            'complete': scan_result.complete,
            'keyspace': params['cassandra_keyspace'],
            'tables': scan_result.tables,
            'token_ranges': scan_result.ranges_total,
            'token_ranges_done': scan_result.ranges_done,
            'failed_ranges': scan_result.failed_ranges,
            'token_slice': params['token_slice'] or None,
            'duration_seconds': round(scan_result.duration, 3),
        },
        'requests': _requests.summarize_requests(batch.requests, batch.subjects_of_request, records) if batch else [],
    }


def parse_headers(module, value):
    """Return gws_headers as a dict of str, from a dict or the original script's JSON string."""
    if value in (None, '', {}):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            module.fail_json(msg='gws_headers is not valid JSON; give a mapping or a JSON object such as '
                                 '{"X-Header": "value"}')
    if not isinstance(value, dict):
        module.fail_json(msg='gws_headers must be a mapping of header names to values (a JSON object)')
    headers = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            module.fail_json(msg='gws_headers has an invalid header name (only letters, digits and !#$%&\'*+.^_`|~- '
                                 'are allowed, no spaces or line breaks)')
        if name.lower() in _RESERVED_HEADERS:
            module.fail_json(msg='gws_headers must not set %s: the module sets it itself (credentials come from '
                                 'gws_username and gws_password, the session cookie from GWS)' % name)
        if not isinstance(header_value, (str, int, float)) or isinstance(header_value, bool):
            module.fail_json(msg='gws_headers value of %s must be a string' % name)
        header_value = str(header_value)
        if any(ch in header_value for ch in '\r\n\x00'):
            module.fail_json(msg='gws_headers value of %s contains a line break or NUL character' % name)
        headers[name] = header_value
    return headers


def exit_json(module, **kwargs):
    """Call module.exit_json(**kwargs) after narrow_no_log_values, for a result that may be large.

    Failed runs call module.fail_json directly, because it adds a traceback after this point and a
    no_log value in that traceback must still be masked.
    """
    narrow_no_log_values(module, kwargs)
    module.exit_json(**kwargs)


def narrow_no_log_values(module, result):
    """Mask the parameters into result['invocation'], then keep only the no_log values found in result.

    AnsibleModule replaces each no_log value in each string of a result, one value at a time. With
    1,000 subjects and 10,000 matches that took about 3 seconds. A value found in no string is
    replaced nowhere, so dropping it does not change the output.
    """
    found = _occurring(module.no_log_values, _strings_of(result))
    in_params = _occurring(module.no_log_values, _strings_of(module.params))
    invocation = {'module_args': remove_values(module.params, in_params)}
    # AnsibleModule masks the invocation once more. A value found in the masked invocation, such as
    # 'LOG' in its placeholder VALUE_SPECIFIED_IN_NO_LOG_PARAMETER, would be masked twice, so keep
    # every value and let AnsibleModule mask the parameters itself.
    if _occurring(found, _strings_of(invocation), keep_masks=False):
        return
    result['invocation'] = invocation
    module.no_log_values = found


def _strings_of(value):
    """Return the strings that remove_values searches in value: strings, numbers as text, not mapping keys."""
    strings = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, bytes):
            strings.append(to_text(item, errors='surrogate_or_strict'))
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, (int, float)):
            strings.append(str(item))
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            pending.extend(item)
    return strings


def _occurring(values, strings, keep_masks=True):
    """Return the set of values that occur in one of strings.

    With keep_masks, a value with '*' is returned too, because masking another value writes
    '********' and can make it appear.
    """
    text = '\x00'.join(strings)
    values = [to_text(value, errors='surrogate_or_strict') for value in values]
    found = set(value for value in values if not value or (keep_masks and '*' in value))
    if HAS_AHOCORASICK:
        automaton = ahocorasick.Automaton()
        for value in values:
            if value:
                automaton.add_word(value, value)
        if len(automaton):
            automaton.make_automaton()
            found.update(value for _end, value in automaton.iter(text))
        return found
    return found.union(value for value in values if value in text)
