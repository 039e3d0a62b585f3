# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Access request export: the matched settings in full, written to a file only the owner can read.

This file is the one place where the collection writes personal data. The module writes it on
the target host itself, because module results pass through Ansible's no_log masking, which
replaces every string equal to a subject with '********'.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import hashlib
import json
import os
import re
import stat

EXPORT_FORMAT = 1
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
_UNSAFE_NAME = re.compile(r'[^A-Za-z0-9._-]')


class ExportError(Exception):
    """The export file cannot be written; the message names the path, never the data."""


def _parsed(text):
    """Return a setting value as JSON data when it is JSON, else as the stored text."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _matched_columns(row):
    """Return {column: value} of the columns of a keyspace scan row in which a subject was found.

    The scan keeps the text of every searched column in column_values (with keep_values), and
    names the columns with hits in columns. A matched column without a kept value means the scan
    ran without keep_values, which would silently export a row without its data, so it raises.
    """
    values = row.get('column_values') or {}
    missing = [column for column in row['columns'] if column not in values]
    if missing:
        raise ExportError('the values of the matched columns %s of a row of the table %s are missing, because the '
                          'keyspace scan ran without keep_values' % (', '.join(missing), row['table']))
    return dict((column, _parsed(values[column])) for column in sorted(row['columns']))


def build_export(subjects, matches, rows, keyspace, generated, request_id=None, run_id=None, complete=True):
    """Return the export document for one access request.

    subjects are the parsed subjects, matches the settings scan's matches with their values,
    rows the keyspace scan's matches with their values (empty for the settings scope).
    """
    by_id = dict((subject.subject_id, subject) for subject in subjects)
    document = {
        'export_format': EXPORT_FORMAT,
        'request_type': 'access',
        'request_id': request_id,
        'run_id': run_id,
        'generated': generated,
        'keyspace': keyspace,
        'scan_complete': complete,
        'notice': ('Personal data of the subjects below, as stored in GWS settings. Settings can also contain data '
                   'of other people (for example a shared favorite); review the file before you send it.'),
        'subjects': [{'id': subject.subject_id, 'kind': subject.kind, 'value': subject.normalized}
                     for subject in subjects],
        'settings': [],
        'other_rows': [],
    }
    for match in matches:
        document['settings'].append({
            'table': match['table'],
            'scope': match['scope'],
            'owner_id': match['owner_id'],
            'group': match['group'],
            'key': match['key'],
            'value': _parsed(match.get('value')),
            'subjects': sorted(set(by_id[s].normalized if s in by_id else s for s, location in match['hits'])),
            'locations': sorted(set(location for s, location in match['hits'])),
        })
    for row in rows:
        document['other_rows'].append({
            'table': row['table'],
            'primary_key': dict((column, None if value is None else str(value)) for column, value in row['primary_key']),
            'columns': _matched_columns(row),
            'subjects': sorted(set(by_id[s].normalized if s in by_id else s for s, location in row['hits'])),
            'locations': sorted(set(location for s, location in row['hits'])),
        })
    return document


def documents_for_requests(access_requests, subjects, matches, rows, keyspace, generated, run_id=None,
                           complete=True):
    """Return (request id, export document) for each access request, with that request's subjects only.

    access_requests is a list of (request id, subject ids); matches and rows are kept when one
    of their hits names one of the request's subjects.
    """
    documents = []
    for request_id, subject_ids in access_requests:
        own = set(subject_ids)
        own_subjects = [subject for subject in subjects if subject.subject_id in own]
        own_matches = [match for match in matches if any(s in own for s, location in match['hits'])]
        own_rows = [row for row in rows if any(s in own for s, location in row['hits'])]
        documents.append((request_id, build_export(own_subjects, own_matches, own_rows, keyspace, generated,
                                                   request_id=request_id, run_id=run_id, complete=complete)))
    return documents


def export_file_name(request_id, generated, run_id=None):
    """Return the export file name for a request: access-<request id>-<id hash>-<UTC time>[-<run id prefix>].json.

    Characters of the request id other than letters, digits, '.', '_' and '-' become '_', so the
    name stays inside the export directory. Because different ids can become the same text that
    way ('A/1' and 'A:1'), the name also contains the first 8 hex digits of the SHA-256 of the exact id.
    """
    safe_id = _UNSAFE_NAME.sub('_', request_id).strip('.') or 'request'
    id_hash = hashlib.sha256(request_id.encode('utf-8')).hexdigest()[:8]
    stamp = generated.replace('-', '').replace(':', '')
    suffix = '-' + _UNSAFE_NAME.sub('_', run_id)[:8] if run_id else ''
    return 'access-%s-%s-%s%s.json' % (safe_id, id_hash, stamp, suffix)


def write_export(path, document):
    """Write the document as JSON to a new file with mode 0600 and return what the result may show.

    The directory is created with mode 0700 when missing. An existing file is never overwritten,
    and a symbolic link at the path is rejected, so the export cannot land in a file someone
    else prepared.
    """
    directory = os.path.dirname(os.path.abspath(path)) or '.'
    try:
        os.makedirs(directory, mode=DIRECTORY_MODE, exist_ok=True)
    except OSError as error:
        raise ExportError('cannot create the export directory %s: %s' % (directory, error.strerror or error))
    info = os.stat(directory)
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        # The file is 0600 either way; a directory others can list would still show that an export exists.
        directory_warning = ('the export directory %s is accessible to other users (mode %s); mode 0700 is '
                             'recommended' % (directory, oct(stat.S_IMODE(info.st_mode))))
    else:
        directory_warning = None

    data = (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + '\n').encode('utf-8')
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0)
    try:
        descriptor = os.open(path, flags, FILE_MODE)
    except OSError as error:
        if error.errno == errno.EEXIST:
            raise ExportError('the export file %s exists already; move it away, or run again to get a new file '
                              'name' % path)
        raise ExportError('cannot create the export file %s: %s' % (path, error.strerror or error))
    try:
        with os.fdopen(descriptor, 'wb') as handle:
            # The umask only removes bits; fchmod makes the mode exactly 0600.
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        # A partly written export is removed, so that a rerun can write the whole file.
        try:
            os.unlink(path)
        except OSError:
            pass
        raise ExportError('cannot write the export file %s: %s' % (path, error.strerror or error))
    return {
        'path': path,
        'mode': '0600',
        'bytes': len(data),
        'sha256': hashlib.sha256(data).hexdigest(),
        'settings': len(document['settings']),
        'other_rows': len(document['other_rows']),
        'warning': directory_warning,
    }


def write_exports(exports):
    """Write each (path, document) of exports with write_export and return their write_export results.

    All or nothing: when one file cannot be written, the files this call wrote already are removed
    before the ExportError is raised, so that a failed run leaves no export that its result does not list.
    """
    written = []
    try:
        for path, document in exports:
            written.append(write_export(path, document))
    except ExportError as error:
        not_removed = []
        for entry in written:
            try:
                os.unlink(entry['path'])
            except OSError:
                not_removed.append(entry['path'])
        message = '%s. The %d exports written before it were removed' % (error, len(written) - len(not_removed))
        if not_removed:
            message += ', except %s (remove them by hand: they contain personal data)' % ', '.join(not_removed)
        raise ExportError(message)
    return written
