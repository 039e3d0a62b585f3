# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter evidence_html: render the data of a forget_me evidence report as one self-contained HTML page."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The filter is documented in evidence_html.yml beside this file.

import datetime
from collections.abc import Mapping
from html import escape

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
NONE = '&ndash;'
NOT_KNOWN = 'not known'
NOT_COUNTED = 'not known, because the run failed before the search returned'

# Counts that a run which failed before the search returned never measured. The other counts are of deletes,
# and are 0 in such a run because the role starts the erase only after the search.
SEARCH_COUNTS = frozenset(['found', 'erasable', 'not_erasable', 'planned', 'to_erase', 'access_only',
                           'not_in_plan'])

# Counts of one request in the requests table: (key, column heading).
REQUEST_COLUMNS = [
    ('found', 'found'),
    ('erasable', 'erasable'),
    ('to_erase', 'to erase'),
    ('erased', 'erased'),
]

# Counts of the whole run, in the order of the totals table: (key, column heading).
COUNT_COLUMNS = [
    ('found', 'found'),
    ('erasable', 'erasable'),
    ('not_erasable', 'not erasable'),
    ('planned', 'planned'),
    ('erased', 'erased'),
    ('already_gone', 'already gone'),
    ('failed', 'failed'),
    ('not_attempted', 'not attempted'),
    ('access_only', 'access only'),
    ('not_in_plan', 'found after the search'),
]

# Lists of settings in the report, with the heading and the explanation of their section.
SETTING_SECTIONS = [
    ('erased', 'Erased settings', 'Deleted through the GWS API by this run.', None),
    ('already_gone', 'Already gone', 'GWS reported them as not found when they were deleted; counted as erased.',
     None),
    ('not_erasable', 'Found but not erasable', 'Left in place; the reason says why.', 'reason'),
    ('failed', 'Failed deletes', 'The delete was sent and failed; the error says why.', 'error'),
    ('not_attempted', 'Not attempted', 'Not sent, because an earlier error (credentials, permissions) would repeat.',
     None),
    ('not_erased', 'Planned but not erased', 'Planned for deletion and not confirmed erased.', None),
]

STYLE = '''
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; color: #1b1f23; margin: 24px auto;
       max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
p.note { color: #57606a; margin-top: 4px; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.facts th { width: 220px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
td code { white-space: nowrap; }
.status { display: inline-block; padding: 3px 10px; border-radius: 4px; font-weight: 600; }
.ok { background: #dafbe1; color: #116329; }
.failed { background: #ffebe9; color: #a40e26; }
.neutral { background: #eef1f4; color: #424a53; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; }
ul.warnings { color: #7d4e00; padding-left: 20px; }
@media print { body { margin: 0; } }
'''


def _text(value):
    """Return value as escaped HTML text. None shows as a dash."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if is_sequence(value):
        items = [_text(item) for item in value]
        return ', '.join(items) if items else NONE
    return escape(str(value))


def _code(value):
    return NONE if value is None else '<code>%s</code>' % escape(str(value))


def _table(headers, rows, numeric=(), css_class=None):
    """Return an HTML table of cells that are HTML already. The columns named in numeric are right-aligned."""
    head = ''.join('<th>%s</th>' % escape(header) for header in headers)
    body = []
    for row in rows:
        cells = []
        for header, cell in zip(headers, row):
            cells.append('<td class="number">%s</td>' % cell if header in numeric else '<td>%s</td>' % cell)
        body.append('<tr>%s</tr>' % ''.join(cells))
    attribute = ' class="%s"' % css_class if css_class else ''
    return '<table%s><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (attribute, head, ''.join(body))


def _facts(pairs):
    """Return a two-column table of (heading, HTML cell) pairs."""
    rows = ''.join('<tr><th>%s</th><td>%s</td></tr>' % (escape(name), cell) for name, cell in pairs)
    return '<table class="facts"><tbody>%s</tbody></table>' % rows


def _mapping(value):
    return value if isinstance(value, Mapping) else {}


def _list(value):
    return list(value) if is_sequence(value) else []


def _seconds_between(started, finished):
    try:
        start = datetime.datetime.strptime(started, TIME_FORMAT)
        end = datetime.datetime.strptime(finished, TIME_FORMAT)
    except (TypeError, ValueError):
        return None
    return int((end - start).total_seconds())


def _duration(seconds):
    if seconds is None:
        return NONE
    seconds = float(seconds)
    if seconds < 1:
        return '%.2f s' % seconds
    if seconds < 60:
        return '%.1f s' % seconds if seconds < 10 else '%d s' % round(seconds)
    minutes, rest = divmod(int(round(seconds)), 60)
    return '%d min %02d s' % (minutes, rest)


def _plural(count, singular, plural):
    """Return singular when count is 1, else plural."""
    return singular if count == 1 else plural


def _status(text, kind):
    return '<span class="status %s">%s</span>' % (kind, escape(text))


def _verification_status(verification):
    if verification.get('performed'):
        if verification.get('passed'):
            return _status('passed', 'ok')
        return _status('failed', 'failed')
    return _status('not performed', 'neutral')


def _mode(report):
    if report.get('dry_run'):
        return 'dry run (check mode): nothing was changed'
    if report.get('cleanup'):
        return 'erase'
    return 'search only'


def _left_in_place(counts):
    """Return the clauses for the settings found that are not erased: access only and new since the search."""
    clauses = []
    if counts.get('access_only'):
        clauses.append('%s reported for access requests' % counts['access_only'])
    if counts.get('not_in_plan'):
        clauses.append('%s found after the search and left for the next run' % counts['not_in_plan'])
    return ''.join(', %s' % clause for clause in clauses)


def _headline(report, counts):
    """Return one sentence that states the result of the run and accounts for every setting found."""
    error = _mapping(report.get('error'))
    if report.get('outcome') == 'failed':
        return 'The run failed in task "%s": %s' % (error.get('task', 'unknown'), error.get('message', 'no message'))
    found = counts.get('found', 0)
    subjects = _subjects_phrase(report)
    if report.get('dry_run') and not report.get('cleanup'):
        # "0 to erase in a real run" would read as if no setting could be erased.
        template = ('%s %s %s. Nothing would be erased, because erasing was not requested; %s of them can be '
                    'erased with cleanup true.')
        return template % (found, _plural(found, 'setting contains', 'settings contain'), subjects,
                           counts.get('erasable', 0))
    if report.get('dry_run'):
        return '%s %s %s: %s to erase in a real run%s, %s not erasable.' % (
            found, _plural(found, 'setting contains', 'settings contain'), subjects,
            counts.get('planned', counts.get('erasable', 0)), _left_in_place(counts), counts.get('not_erasable', 0))
    if report.get('cleanup'):
        erased = (counts.get('erased') or 0) + (counts.get('already_gone') or 0)
        return '%s %s contained %s: %s erased%s, %s not erasable, %s failed.' % (
            found, _plural(found, 'setting', 'settings'), subjects, erased, _left_in_place(counts),
            counts.get('not_erasable', 0), counts.get('failed', 0))
    return '%s %s %s. Nothing was erased, because erasing was not requested.' % (
        found, _plural(found, 'setting contains', 'settings contain'), subjects)


def _unknown_variable_lines(report):
    """Return one warning per extra variable that the run ignored because its name only resembles a known one."""
    lines = []
    for variable in map(_mapping, _list(report.get('unknown_variables'))):
        lines.append("Warning: '%s' is not a variable of gdpr.gws.forget_me and was ignored. Did you mean '%s'?"
                     % (variable.get('name'), variable.get('similar_to')))
    return lines


def _search_returned(report):
    """Tell whether the search returned. Every module result lists the subjects, so a report without them comes
    from a run that failed before, for example with Cassandra unreachable or an invalid subject."""
    return bool(_list(report.get('subjects')))


def _settings_counted(report):
    """Tell whether the report's setting counts were measured. They were not when the run failed before the search
    returned, and the report then has zeros in their place."""
    return _search_returned(report) or report.get('outcome') != 'failed'


def _count(report, counts, key):
    """Return one count as HTML text, or 'not known' for a count of the search that the run never measured."""
    if key in SEARCH_COUNTS and not _settings_counted(report):
        return NOT_KNOWN
    return _text(counts.get(key))


def _subjects_phrase(report):
    return _plural(len(_list(report.get('subjects'))), 'the subject', 'the subjects')


def _subjects_not_counted(report):
    """Return the text for subjects that the search never classified, with the number given when it is known."""
    subjects_given = report.get('subjects_given')
    if report.get('outcome') != 'failed':
        return 'none'
    if isinstance(subjects_given, int) and not isinstance(subjects_given, bool):
        return '%d given, not counted by kind because the run failed before the search returned' % subjects_given
    return NOT_COUNTED


def _erase_before_failure(report, counts):
    """Return the line on what a failed real erase did before it stopped, or None when it planned no delete."""
    if report.get('outcome') != 'failed' or report.get('dry_run') or not counts.get('planned'):
        return None
    erased = (counts.get('erased') or 0) + (counts.get('already_gone') or 0)
    return ('Erase before the failure: %s of %s planned %s erased, %s failed, %s not attempted.'
            % (erased, counts['planned'], _plural(counts['planned'], 'setting', 'settings'), counts.get('failed', 0),
               counts.get('not_attempted', 0)))


def _request_rows(report, counts):
    """Return the rows of the per-request table. A report of one request, without a batch, has one row.

    Return None when the requests are not known: the run failed before the search returned, the report lists
    no requests, and its field 'batch' is not false. Reports written before that field existed lack it.
    """
    requests = [_mapping(request) for request in _list(report.get('requests'))]
    if not requests:
        if not _settings_counted(report) and report.get('batch') is not False:
            return None
        single_counts = dict(counts)
        single_counts.setdefault('to_erase', counts.get('planned'))
        requests = [{'id': None, 'type': 'forget' if report.get('cleanup') else 'search',
                     'subjects': [subject.get('id') for subject in map(_mapping, _list(report.get('subjects')))],
                     'subjects_given': None if _search_returned(report) else report.get('subjects_given'),
                     'counts': single_counts}]
    rows = []
    for request in requests:
        request_counts = _mapping(request.get('counts'))
        request_id = request.get('id')
        # A request of a run that failed before the search returned has the number of subjects given and no
        # subject ids, because the ids are made by the search.
        subject_count = request.get('subjects_given')
        if subject_count is None and _search_returned(report):
            subject_count = len(_list(request.get('subjects')))
        row = [_text('(one request)' if request_id is None else request_id), _text(request.get('type')),
               NOT_KNOWN if subject_count is None else _text(subject_count)]
        row.extend(_count(report, request_counts, key) for key, heading in REQUEST_COLUMNS)
        rows.append(row)
    return rows


def _group_rows(counts, settings):
    """Return one row per settings group: found, and what happened to the settings of that group."""
    per_group = dict(_mapping(counts.get('per_group')))
    columns = ('erased', 'already_gone', 'not_erasable', 'failed')
    tally = {}
    for column in columns:
        for record in map(_mapping, _list(settings.get(column))):
            group = record.get('group')
            per_group.setdefault(group, 0)
            tally[(group, column)] = tally.get((group, column), 0) + 1
    rows = []
    for group in sorted(per_group, key=lambda name: (name is None, str(name))):
        row = [_code(group), _text(per_group[group])]
        row.extend(str(tally.get((group, column), 0)) for column in columns)
        rows.append(row)
    return rows


def _subject_rows(report, counts):
    per_subject = _mapping(counts.get('per_subject'))
    rows = []
    for subject in map(_mapping, _list(report.get('subjects'))):
        rows.append([_code(subject.get('id')), _text(subject.get('kind')), _text(per_subject.get(subject.get('id'), 0))])
    return rows


def _setting_section(settings, key, title, explanation, detail, counted=True):
    """Return the section that lists the settings of one kind, or that states their number as not known when
    counted is false."""
    records = [_mapping(record) for record in _list(settings.get(key))]
    anchor = key.replace('_', '-')
    number = str(len(records)) if counted else NOT_KNOWN
    heading = '<h2>%s (%s)</h2><p class="note">%s</p>' % (escape(title), number, escape(explanation))
    parts = ['<section id="%s">%s' % (anchor, heading)]
    if not counted:
        parts.append('<p>%s.</p>' % escape(NOT_COUNTED.capitalize()))
    elif records:
        headers = ['setting id', 'scope', 'owner id', 'settings group', 'subjects']
        if detail:
            headers.append(detail)
        rows = []
        for record in records:
            row = [_code(record.get('setting_id')), _text(record.get('scope')), _code(record.get('owner_id')),
                   _code(record.get('group')), _text(record.get('subjects'))]
            if detail:
                row.append(_text(record.get(detail)))
            rows.append(row)
        parts.append(_table(headers, rows))
    else:
        parts.append('<p>None.</p>')
    parts.append('</section>')
    return ''.join(parts)


def _records_table(records, columns):
    """Return a table of the given (key, heading) columns of each record, or a paragraph when there are none."""
    records = [_mapping(record) for record in records]
    if not records:
        return '<p>None.</p>'
    headings = [heading for key, heading in columns]
    return _table(headings, [[_text(record.get(key)) for key, heading in columns] for record in records])


def _note(section):
    note = section.get('note')
    return '<p class="note">%s</p>' % escape(str(note)) if note else ''


def _optional_sections(report):
    """Return the sections of the report parts that only some runs have: rows outside the settings profile,
    storage, disk erasure and access exports."""
    sections = []

    outside = report.get('found_not_erasable_by_this_collection')
    if isinstance(outside, Mapping):
        keyspace_scan = _mapping(outside.get('keyspace_scan'))
        facts = ''
        if keyspace_scan:
            facts = _facts([('keyspace scan complete', _text(keyspace_scan.get('complete'))),
                            ('tables scanned', _text(keyspace_scan.get('tables'))),
                            ('tables skipped', _text(keyspace_scan.get('skipped_tables'))),
                            ('rows scanned', _text(keyspace_scan.get('rows_scanned'))),
                            ('blobs with invalid UTF-8, searched with the bytes replaced', _text(keyspace_scan.get('undecodable_blobs')))])
        rows = _records_table(_list(outside.get('rows')), [
            ('row_id', 'row id'), ('table', 'table'), ('columns', 'columns'), ('subjects', 'subjects'),
            ('requests', 'requests'), ('reason', 'reason')])
        sections.append('<section id="outside-profile"><h2>Found outside the settings profile (%d)</h2>%s%s%s'
                        '</section>' % (len(_list(outside.get('rows'))), _note(outside), facts, rows))

    storage = report.get('storage')
    if isinstance(storage, Mapping):
        sections.append('<section id="storage"><h2>Storage</h2>%s%s</section>' % (_note(storage), _records_table(
            _list(storage.get('tables')), [
                ('table', 'table'), ('erased', 'erased'), ('erased_at', 'erased at (UTC)'),
                ('gc_grace_seconds', 'gc_grace_seconds'), ('tombstones_purgeable_from', 'tombstones purgeable from'),
                ('compaction', 'compaction')])))

    disk_erasure = report.get('disk_erasure')
    if isinstance(disk_erasure, Mapping):
        sections.append('<section id="disk-erasure"><h2>Disk erasure</h2>%s</section>' % _facts(
            [(str(key).replace('_', ' '), _text(disk_erasure[key])) for key in sorted(disk_erasure, key=str)]))

    exports = report.get('access_exports')
    if isinstance(exports, Mapping):
        sections.append('<section id="access-exports"><h2>Access exports (%d)</h2>%s%s</section>' % (
            len(_list(exports.get('files'))), _note(exports), _records_table(_list(exports.get('files')), [
                ('request_id', 'request'), ('host', 'host'), ('path', 'path'), ('written', 'written'),
                ('mode', 'mode'), ('bytes', 'bytes'), ('sha256', 'SHA-256'), ('settings', 'settings'),
                ('other_rows', 'other rows')])))

    return sections


def _verification_section(verification):
    if not verification.get('performed'):
        body = _facts([('result', _verification_status(verification)),
                       ('reason', _text(verification.get('not_performed_reason')))])
    else:
        body = _facts([
            ('result', _verification_status(verification)),
            ('second scan complete', _text(verification.get('scan_complete'))),
            ('erasable settings left', _text(verification.get('erasable_left'))),
            ('not erasable settings left', _text(verification.get('not_erasable_left'))),
            ('settings to erase left', _text(verification.get('to_erase_left'))),
            ('deleted settings read back as gone', _text(verification.get('read_back_by_module'))),
        ])
    return ('<section id="verification"><h2>Verification</h2><p class="note">After a real erase, the settings are '
            'scanned again: no erasable setting may still contain a subject.</p>%s</section>' % body)


def _count_sections(report, counts, settings):
    """Return the sections of counts: per request, for the whole run and per settings group."""
    counted = _settings_counted(report)
    not_counted_note = ''
    if not counted:
        not_counted_note = ('<p class="note" id="not-counted">The run failed before the search returned, so the '
                            'settings were not counted. No setting was deleted, because the erase starts only '
                            'after the search.</p>')

    request_headings = [heading for key, heading in REQUEST_COLUMNS]
    request_rows = _request_rows(report, counts)
    if request_rows is None:
        requests = '<p>Requests: %s.</p>' % escape(NOT_COUNTED)
    else:
        requests = _table(['request', 'type', 'subjects'] + request_headings, request_rows,
                          numeric=['subjects'] + request_headings)
    sections = ['<section id="requests"><h2>Requests</h2><p class="note">Settings per request. A setting that '
                'contains the subjects of several requests counts once in each. Settings of access requests '
                'are not erased.</p>%s</section>' % requests]

    count_headings = [heading for key, heading in COUNT_COLUMNS]
    sections.append('<section id="totals"><h2>Settings of the run</h2><p class="note">Each setting counts once, '
                    'whatever number of subjects and requests it contains.</p>%s%s</section>'
                    % (not_counted_note, _table(count_headings,
                                                [[_count(report, counts, key) for key, heading in COUNT_COLUMNS]],
                                                numeric=count_headings)))

    if counted:
        group_headings = ['settings group', 'found', 'erased', 'already gone', 'not erasable', 'failed']
        groups = _table(group_headings, _group_rows(counts, settings), numeric=group_headings[1:])
    else:
        groups = '<p>Settings found per group: %s.</p>' % escape(NOT_COUNTED)
    sections.append('<section id="groups"><h2>Settings groups</h2>%s</section>' % groups)
    return sections


def evidence_html(report):
    """Return the evidence report as a complete HTML document; every value from the report is escaped."""
    if not isinstance(report, Mapping):
        raise AnsibleFilterError('evidence_html needs the evidence report as a mapping (the parsed JSON report), '
                                 'got %s' % type(report).__name__)
    tool = _mapping(report.get('tool'))
    counts = _mapping(report.get('counts'))
    settings = _mapping(report.get('settings'))
    scan = _mapping(report.get('scan'))
    target = _mapping(report.get('target'))
    verification = _mapping(report.get('verification'))
    run_id = report.get('run_id')
    outcome_kind = 'failed' if report.get('outcome') == 'failed' else 'ok'
    generator = _text('%s %s' % (tool.get('name', 'gdpr.gws'), tool.get('collection_version', '')))

    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="generator" content="%s">' % generator,
        '<title>GDPR evidence report %s</title><style>%s</style></head><body>' % (_text(run_id), STYLE),
        '<header><h1>GDPR evidence report</h1>',
        '<p id="headline">%s %s</p>' % (_status(report.get('outcome') or 'unknown', outcome_kind),
                                        _text(_headline(report, counts))),
    ]
    erase_before_failure = _erase_before_failure(report, counts)
    if erase_before_failure:
        parts.append('<p id="erase-before-failure">%s</p>' % _text(erase_before_failure))
    warnings = _unknown_variable_lines(report)
    if warnings:
        parts.append('<ul class="warnings" id="unknown-variables">%s</ul>'
                     % ''.join('<li>%s</li>' % _text(line) for line in warnings))
    parts.append('</header>')

    parts.append('<section id="summary"><h2>Run</h2>%s</section>' % _facts([
        ('run id', _code(run_id)),
        ('inventory host', _code(report.get('inventory_host'))),
        ('mode', _text(_mode(report))),
        ('outcome', _status(report.get('outcome') or 'unknown', outcome_kind)),
        ('verification', _verification_status(verification)),
        ('tool', _text('%s %s' % (tool.get('collection', 'gdpr.gws'), tool.get('collection_version', '')))),
        ('ansible-core', _text(tool.get('ansible_core_version'))),
        ('subject and setting ids', _text(report.get('ids_salt'))),
    ]))

    parts.append('<section id="timings"><h2>Timings</h2>%s</section>' % _facts([
        ('started (UTC)', _text(report.get('started'))),
        ('finished (UTC)', _text(report.get('finished'))),
        ('duration of the run', _duration(_seconds_between(report.get('started'), report.get('finished')))),
        ('duration of the scan', _duration(scan.get('duration_seconds'))),
        ('duration of the verification scan', _duration(verification.get('duration_seconds'))),
    ]))

    parts.extend(_count_sections(report, counts, settings))

    if _search_returned(report):
        subjects = _table(['subject id', 'kind', 'settings found'], _subject_rows(report, counts),
                          numeric=['settings found'])
    else:
        subjects = '<p>Subjects: %s.</p>' % _text(_subjects_not_counted(report))
    parts.append('<section id="subjects"><h2>Subjects</h2><p class="note">Subjects are named by a salted hash of '
                 'the e-mail address or phone number.</p>%s</section>' % subjects)

    for key, title, explanation, detail in SETTING_SECTIONS:
        if key == 'not_erased' and not _list(settings.get(key)):
            continue
        counted = key not in SEARCH_COUNTS or _settings_counted(report)
        parts.append(_setting_section(settings, key, title, explanation, detail, counted))

    parts.append(_verification_section(verification))
    parts.extend(_optional_sections(report))

    parts.append('<section id="scan"><h2>Scan</h2>%s</section>' % _facts([
        ('complete', _text(scan.get('complete'))),
        ('search scope', _text(report.get('search_scope'))),
        ('rows scanned', _text(scan.get('rows_scanned'))),
        ('token ranges', _text(scan.get('token_ranges'))),
        ('Cassandra contact points', _text(target.get('cassandra_hosts'))),
        ('keyspace', _code(target.get('cassandra_keyspace'))),
        ('GWS host', _code(target.get('gws_host'))),
        ('settings groups searched', _text(target.get('groups')) if target.get('groups') else 'all'),
        ('contact-center settings erasable', _text(target.get('include_contact_center'))),
    ]))

    parts.append('<footer>Written by %s for run %s. The report names subjects and settings by ids and contains no '
                 'e-mail address, phone number, setting key or setting value. The JSON report beside this file '
                 'holds the same data.</footer></body></html>\n'
                 % (_text(tool.get('name', 'gdpr.gws.forget_me')), _text(run_id)))
    return ''.join(parts)


def evidence_summary(report):
    """Return the result of the run as a few lines of text for the end of the job output."""
    if not isinstance(report, Mapping):
        raise AnsibleFilterError('evidence_summary needs the evidence report as a mapping (the parsed JSON report), '
                                 'got %s' % type(report).__name__)
    tool = _mapping(report.get('tool'))
    counts = _mapping(report.get('counts'))
    scan = _mapping(report.get('scan'))
    verification = _mapping(report.get('verification'))

    if not verification.get('performed'):
        checked = 'not performed (%s)' % verification.get('not_performed_reason')
    elif verification.get('passed'):
        checked = 'passed, the second scan found no erasable setting with %s' % _subjects_phrase(report)
    else:
        left = verification.get('erasable_left')
        checked = 'FAILED, %s erasable %s %s' % (
            left, _plural(left, 'setting still contains', 'settings still contain'), _subjects_phrase(report))

    kinds = {}
    for subject in map(_mapping, _list(report.get('subjects'))):
        kinds[subject.get('kind')] = kinds.get(subject.get('kind'), 0) + 1
    if _search_returned(report):
        details = ', '.join('%s %d' % (kind, kinds[kind]) for kind in sorted(kinds, key=str))
        requests = _list(report.get('requests'))
        if requests:
            details += '; requests: %d' % len(requests)
        subjects = '%d (%s)' % (sum(kinds.values()), details)
    else:
        subjects = _subjects_not_counted(report)
        requests = _list(report.get('requests'))
        if requests:
            subjects += '; requests: %d' % len(requests)
    per_group = _mapping(counts.get('per_group'))
    groups = ', '.join('%s %s' % (group, per_group[group]) for group in sorted(per_group, key=str)) or 'none'
    if not _settings_counted(report):
        groups = NOT_COUNTED
    run_seconds = _seconds_between(report.get('started'), report.get('finished'))

    lines = [
        'Run %s on %s: %s, %s' % (report.get('run_id'), report.get('inventory_host'), report.get('outcome'),
                                  _mode(report)),
        _headline(report, counts),
        _erase_before_failure(report, counts),
    ] + _unknown_variable_lines(report) + [
        'Verification: %s' % checked,
        'Subjects: %s' % subjects,
        'Found per settings group: %s' % groups,
        'Duration: %s (scan %s)' % (_duration(run_seconds), _duration(scan.get('duration_seconds'))),
        'Tool: %s %s on ansible-core %s' % (tool.get('collection', 'gdpr.gws'), tool.get('collection_version'),
                                            tool.get('ansible_core_version')),
    ]
    return [line.replace(NONE, 'n/a') for line in lines if line is not None]


class FilterModule(object):
    def filters(self):
        return {'evidence_html': evidence_html, 'evidence_summary': evidence_summary}
