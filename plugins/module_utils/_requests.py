# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Batches of GDPR requests: checking a request file and tying matches to request ids.

A batch is a list of requests. Each request has an id, a type (forget or access) and the
e-mail addresses and phone numbers of its subject. The modules take the batch as two
options: subjects, the flat list of every request's subjects (no_log), and requests, with
each request's id, type and the indexes of its subjects in that list. The ids and types
therefore stay visible in results, while Ansible masks the subjects. request_batch turns a
request file into that pair; the gdpr.gws.request_batch filter calls it on the controller.

Error messages name the request by position and id and the field by name, never a subject.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.gdpr.gws.plugins.module_utils import _subjects

TYPE_FORGET = 'forget'
TYPE_ACCESS = 'access'
REQUEST_TYPES = (TYPE_FORGET, TYPE_ACCESS)

REQUEST_FIELDS = ('id', 'type', 'emails', 'phones')
# Request ids are ticket numbers, so they appear in results and reports. They cannot contain
# an '@', a '+' or spaces, so an e-mail address or a formatted phone number is rejected.
_REQUEST_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$')
MAX_REQUESTS = 10000
# A request file is read whole and parsed in memory, so larger files are rejected before parsing.
# 10000 requests with three subjects each take 1.5 MiB as YAML and 2.3 MiB as indented JSON.
MAX_FILE_BYTES = 8 * 1024 * 1024
_PLAIN_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_-]{0,31}$')


class RequestError(ValueError):
    """Invalid request batch. The message names the request and the field, never a subject."""


def _label(index, request):
    request_id = request.get('id') if isinstance(request, dict) else None
    if isinstance(request_id, str) and _REQUEST_ID.match(request_id):
        return 'requests[%d] (id %s)' % (index, request_id)
    return 'requests[%d]' % index


def check_batch(data):
    """Check the structure of a request batch and return its requests as new dicts.

    data is the list of requests, or a mapping whose key 'requests' contains it (the form of a
    request file). Each returned request has id, type, emails and phones; the lists may be
    empty, but not both. Raises RequestError for the first problem found.
    """
    if isinstance(data, dict):
        if set(data) != {'requests'}:
            raise RequestError("a request file must be a mapping with the single key 'requests' (a list), "
                               "or the list itself")
        data = data['requests']
    if not isinstance(data, list):
        raise RequestError('requests must be a list of requests, got %s' % type(data).__name__)
    if not data:
        raise RequestError('requests is empty. Give at least one request with an id, a type and subjects.')
    if len(data) > MAX_REQUESTS:
        raise RequestError('requests has %d entries, more than %d; split the batch' % (len(data), MAX_REQUESTS))

    checked = []
    first_index_of = {}
    for index, request in enumerate(data):
        label = _label(index, request)
        if not isinstance(request, dict):
            raise RequestError('%s must be a mapping with id, type, emails and phones, got %s'
                               % (label, type(request).__name__))
        unknown = [name for name in request if name not in REQUEST_FIELDS]
        if unknown:
            names = ', '.join(sorted(str(name) if _PLAIN_NAME.match(str(name))
                                     else '(a field that is not a plain name)' for name in unknown))
            raise RequestError('%s has unknown fields: %s. Allowed: %s' % (label, names, ', '.join(REQUEST_FIELDS)))

        request_id = _check_id(label, request.get('id'))
        # Ids that differ only in letter case give access exports the same file name on
        # case-insensitive file systems, and operators read them as one ticket.
        folded_id = request_id.lower()
        if folded_id in first_index_of:
            first = first_index_of[folded_id]
            if data[first]['id'] == request_id:
                raise RequestError('%s.id is also the id of requests[%d]; request ids must be unique'
                                   % (label, first))
            raise RequestError('%s.id differs only in letter case from the id of %s. Request ids must be unique '
                               'regardless of letter case.' % (label, _label(first, data[first])))
        first_index_of[folded_id] = index

        request_type = request.get('type')
        if request_type not in REQUEST_TYPES:
            raise RequestError('%s.type must be one of: %s' % (label, ', '.join(REQUEST_TYPES)))

        lists = {}
        for field in ('emails', 'phones'):
            values = request.get(field)
            if values is None:
                values = []
            if not isinstance(values, list):
                raise RequestError('%s.%s must be a list of strings' % (label, field))
            for position, value in enumerate(values):
                if not isinstance(value, str):
                    hint = (' Quote phone numbers in YAML, so that a leading + or 0 is kept.'
                            if isinstance(value, (int, float)) else '')
                    raise RequestError('%s.%s[%d] must be a string, got %s.%s'
                                       % (label, field, position, type(value).__name__, hint))
            lists[field] = list(values)
        if not lists['emails'] and not lists['phones']:
            raise RequestError('%s has no subjects: give emails, phones or both' % label)
        checked.append({'id': request_id, 'type': request_type, 'emails': lists['emails'], 'phones': lists['phones']})
    return checked


def _check_id(label, request_id):
    """Return the request id, or raise RequestError if it is missing, not a string or not a ticket id."""
    if request_id is not None and not isinstance(request_id, str):
        # YAML reads unquoted 0x1A, 010, 1_000 and 12:30 as integers and 2026-01-02 as a date, so the
        # id in the file and the id in the report would differ.
        raise RequestError('%s.id must be a string, got %s. Put it in quotes, because YAML reads an unquoted id '
                           'such as 010, 12:30 or 2026-01-02 as a number or a date.'
                           % (label, type(request_id).__name__))
    if request_id is None or not _REQUEST_ID.match(request_id):
        raise RequestError("%s.id is missing or invalid: give a ticket id of letters, digits and '._:/#-', "
                           'at most 64 characters, starting with a letter or digit' % label)
    return request_id


def check_subjects(requests, default_region=None, check_phones=True):
    """Parse every subject of checked requests, raising RequestError that names the request and field.

    An address listed under phones, or a number under emails, is rejected too. Phone
    numbers are only checked when check_phones is true, because that needs phonenumbers.
    """
    for index, request in enumerate(requests):
        label = _label(index, request)
        for field, kind in (('emails', _subjects.KIND_EMAIL), ('phones', _subjects.KIND_PHONE)):
            values = request[field]
            if not values or (kind == _subjects.KIND_PHONE and not check_phones):
                continue
            try:
                parsed = _subjects.parse_subjects(values, default_region=default_region, field='%s.%s' % (label, field))
            except _subjects.SubjectError as error:
                raise RequestError(str(error)) from None
            for subject in parsed:
                if subject.kind != kind:
                    raise RequestError('%s.%s[%d] is %s, not %s; list it under %s'
                                       % (label, field, subject.indexes[0],
                                          'an e-mail address' if subject.kind == _subjects.KIND_EMAIL else 'a phone number',
                                          'a phone number' if kind == _subjects.KIND_PHONE else 'an e-mail address',
                                          'emails' if subject.kind == _subjects.KIND_EMAIL else 'phones'))


def module_options(requests):
    """Return (subjects, requests) for the modules from checked requests.

    subjects is the flat list of subjects in request order, and each request gets the
    indexes of its own subjects in it.
    """
    subjects = []
    options = []
    for request in requests:
        indexes = []
        for value in request['emails'] + request['phones']:
            indexes.append(len(subjects))
            subjects.append(value)
        options.append({'id': request['id'], 'type': request['type'], 'subjects': indexes})
    return subjects, options


def check_module_requests(requests, subject_count):
    """Check the modules' requests option against the length of subjects; return a list of requests.

    Every subject index must belong to at least one request, so that no subject is
    searched for without a request that explains why.
    """
    checked = []
    seen_ids = set()
    covered = set()
    for index, request in enumerate(requests):
        label = _label(index, request)
        if not isinstance(request, dict) or set(request) - {'id', 'type', 'subjects'}:
            raise RequestError('%s must be a mapping with the keys id, type and subjects' % label)
        request_id = request.get('id')
        if not isinstance(request_id, str) or not _REQUEST_ID.match(request_id):
            raise RequestError('%s.id is missing or invalid' % label)
        if request_id.lower() in seen_ids:
            raise RequestError('%s.id is not unique. Ids that differ only in letter case count as the same.' % label)
        seen_ids.add(request_id.lower())
        if request.get('type') not in REQUEST_TYPES:
            raise RequestError('%s.type must be one of: %s' % (label, ', '.join(REQUEST_TYPES)))
        indexes = request.get('subjects')
        if not isinstance(indexes, list) or not indexes:
            raise RequestError('%s.subjects must be a non-empty list of indexes into subjects' % label)
        for position, subject_index in enumerate(indexes):
            if isinstance(subject_index, bool) or not isinstance(subject_index, int) \
                    or not 0 <= subject_index < subject_count:
                raise RequestError('%s.subjects[%d] must be an index into subjects, from 0 to %d'
                                   % (label, position, subject_count - 1))
            covered.add(subject_index)
        checked.append({'id': request_id, 'type': request['type'], 'subjects': list(indexes)})
    missing = sorted(set(range(subject_count)) - covered)
    if missing:
        raise RequestError('subjects[%d] belongs to no request; every subject index must be listed in the '
                           'subjects of a request' % missing[0])
    return checked


def request_batch(data, default_region=None):
    """Check a request batch (a file's text, or the parsed list or mapping) and return the module options.

    The result is a dict with 'subjects' and 'requests' as the modules take them. Text is
    parsed as YAML by load_request_file, and JSON is YAML. Phone numbers are checked when
    phonenumbers is installed; the modules check them again in any case.
    """
    if isinstance(data, (bytes, bytearray, str)):
        data = load_request_file(data)
    requests = check_batch(data)
    check_subjects(requests, default_region=default_region, check_phones=_subjects.HAS_PHONENUMBERS)
    subjects, options = module_options(requests)
    return {'subjects': subjects, 'requests': options}


def load_request_file(text):
    """Parse the text of a request file with the YAML safe loader and return the data.

    Raises RequestError when the text is larger than MAX_FILE_BYTES, is not valid YAML or JSON,
    or has a key twice in one mapping. PyYAML keeps the last of repeated keys without a
    warning, so a second type: forget after type: access would turn an access request into a
    forget request. Merge keys (<<) count as keys too, so a merge cannot replace a field either.
    """
    # Only the controller reads request files, so PyYAML is imported here and not by the modules.
    import yaml  # pylint: disable=import-outside-toplevel

    if isinstance(text, str):
        text = text.encode('utf-8', 'surrogatepass')
    if len(text) > MAX_FILE_BYTES:
        raise RequestError('the request file has %d bytes, more than the limit of %d bytes (8 MiB). Split the batch '
                           'into several files.' % (len(text), MAX_FILE_BYTES))
    # Decoding also turns a str subclass, such as the tagged strings of Ansible 2.19 lookups, into the
    # plain str that the C parser requires.
    try:
        text = bytes(text).decode('utf-8')
    except UnicodeDecodeError as error:
        raise RequestError('the request file is not UTF-8 text (invalid byte at offset %d)' % error.start) from None

    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_duplicate_keys(loader, root)
        return loader.construct_document(root)
    except yaml.YAMLError as error:
        mark = getattr(error, 'problem_mark', None)
        where = ' at line %d, column %d' % (mark.line + 1, mark.column + 1) if mark is not None else ''
        # The parser's own message can quote the file, so only the position is reported.
        raise RequestError('the request file is not valid YAML or JSON%s' % where) from None
    except RecursionError:
        raise RequestError('the request file is nested too deeply to be a request batch') from None
    finally:
        loader.dispose()


def _check_duplicate_keys(loader, root):
    """Raise RequestError for the first mapping, in file order, that has a key twice.

    The message names the mapping by its path, for example requests[0], and the key only when it
    is a plain field name, so a subject used as a key is not shown.
    """
    import yaml  # pylint: disable=import-outside-toplevel

    # A node reached again through an alias was checked the first time, and the set also ends
    # the walk on recursive aliases.
    checked = set()
    # The path None is the top-level mapping of the file. A top-level list is the requests list.
    pending = [(root, 'requests' if isinstance(root, yaml.SequenceNode) else None)]
    while pending:
        node, path = pending.pop()
        if id(node) in checked:
            continue
        checked.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            children = [(item, '%s[%d]' % (path, index)) for index, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            children = _check_mapping_keys(loader, node, path)
        else:
            children = []
        pending.extend(reversed(children))


def _check_mapping_keys(loader, node, path):
    """Raise RequestError if the mapping node has a key twice; return its values with their paths."""
    import yaml  # pylint: disable=import-outside-toplevel

    # flatten_mapping replaces the merge keys (<<) of the node by the pairs that they merge.
    loader.flatten_mapping(node)
    first_position_of = {}
    children = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        position = 'line %d, column %d' % (line, key_node.start_mark.column + 1)
        name = None
        # A key that is a list or a mapping is unhashable, and construct_document rejects it later.
        if isinstance(key_node, yaml.ScalarNode):
            key = loader.construct_object(key_node)
            if key in first_position_of:
                raise RequestError('%s: %s appears twice, at %s and %s. Remove one of them.'
                                   % (path or 'the request file', _describe_key(key), first_position_of[key], position))
            first_position_of[key] = position
            if isinstance(key, str) and _PLAIN_NAME.match(key):
                name = key
        name = name or '(the key at line %d)' % line
        children.append((value_node, name if path is None else '%s.%s' % (path, name)))
    return children


def _describe_key(key):
    if isinstance(key, str) and _PLAIN_NAME.match(key):
        return "key '%s'" % key
    return 'a key that is not a plain name'


def requests_by_subject(requests, subjects):
    """Return {subject id: sorted request ids} for checked module requests and parsed subjects.

    subjects is what parse_subjects returned for the flat list; each Subject's indexes
    are its positions in that list.
    """
    request_ids_at = {}
    for request in requests:
        for subject_index in request['subjects']:
            request_ids_at.setdefault(subject_index, set()).add(request['id'])
    by_subject = {}
    for subject in subjects:
        ids = set()
        for subject_index in subject.indexes:
            ids.update(request_ids_at.get(subject_index, ()))
        by_subject[subject.subject_id] = sorted(ids)
    return by_subject


def summarize_requests(requests, subject_ids_of_request, records):
    """Return per request: id, type, subject ids, and the setting ids found, erasable and to erase.

    subject_ids_of_request maps a request id to its subject ids. records are the match
    records of the modules, each with 'requests', 'setting_id', 'erasable' and 'action'.
    """
    # Grouped in one pass, because checking every record for each request took 0.6 s with 1,000 requests
    # and 10,000 records.
    records_of_request = {}
    for record in records:
        for request_id in set(record.get('requests', ())):
            records_of_request.setdefault(request_id, []).append(record)
    summary = []
    for request in requests:
        own = records_of_request.get(request['id'], [])
        summary.append({
            'id': request['id'],
            'type': request['type'],
            'subjects': subject_ids_of_request.get(request['id'], []),
            'counts': {
                'matches': len(own),
                'erasable': sum(1 for record in own if record['erasable']),
                'to_erase': sum(1 for record in own if record['action'] == 'erase'),
            },
            'setting_ids': sorted(record['setting_id'] for record in own),
        })
    return summary
