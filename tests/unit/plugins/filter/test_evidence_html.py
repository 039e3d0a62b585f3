# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the filters evidence_html and evidence_summary on evidence reports built here."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import re
from html import escape
from html.parser import HTMLParser

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gdpr.gws.plugins.filter.evidence_html import evidence_html, evidence_summary

FAVORITES = 'interaction-workspace-personal-favorites'
RECENTS = 'interaction-workspace-recents'


def setting(setting_id, group, subjects, scope='user', **extra):
    record = {'setting_id': setting_id, 'table': 'settings', 'scope': scope, 'owner_id': 'agent-%s' % setting_id[-2:],
              'group': group, 'subjects': subjects}
    record.update(extra)
    return record


ERASED = [setting('set-00000000000000a1', FAVORITES, ['subj-1111111111111111']),
          setting('set-00000000000000a2', FAVORITES, ['subj-2222222222222222']),
          setting('set-00000000000000a3', RECENTS, ['subj-2222222222222222'])]
NOT_ERASABLE = [setting('set-00000000000000b1', 'corporate-favorites', ['subj-1111111111111111'],
                        scope='contact-center', reason='contact-center setting; set include_contact_center to erase it')]

REPORT = {
    'report_format': 1,
    'tool': {'name': 'gdpr.gws.forget_me', 'collection': 'gdpr.gws', 'collection_version': '0.1.0',
             'ansible_core_version': '2.19.14'},
    'run_id': '4f0c2a44-5ad1-5f3e-9a5b-0b7f3c1d2e11',
    'inventory_host': 'localhost',
    'started': '2026-12-04T10:00:00Z',
    'finished': '2026-12-04T10:01:05Z',
    'dry_run': False,
    'cleanup': True,
    'outcome': 'completed',
    'error': None,
    'ids_salt': 'given by forget_me_hash_salt',
    'target': {'cassandra_hosts': ['127.0.0.1'], 'cassandra_keyspace': 'sipfs', 'gws_host': '127.0.0.1',
               'groups': [], 'include_contact_center': False},
    'subjects': [{'id': 'subj-1111111111111111', 'kind': 'email'}, {'id': 'subj-2222222222222222', 'kind': 'phone'}],
    'scan': {'complete': True, 'rows_scanned': 400, 'token_ranges': 64, 'duration_seconds': 0.42},
    'counts': {'found': 4, 'erasable': 3, 'not_erasable': 1, 'planned': 3, 'erased': 3, 'already_gone': 0,
               'failed': 0, 'not_attempted': 0, 'not_erased': 0, 'access_only': 0, 'not_in_plan': 0,
               'per_subject': {'subj-1111111111111111': 2, 'subj-2222222222222222': 2},
               'per_group': {FAVORITES: 2, RECENTS: 1, 'corporate-favorites': 1}},
    'settings': {'erased': ERASED, 'already_gone': [], 'failed': [], 'not_attempted': [], 'planned': ERASED,
                 'not_erased': [], 'not_erasable': NOT_ERASABLE, 'found': ERASED + NOT_ERASABLE},
    'verification': {'performed': True, 'not_performed_reason': None, 'passed': True, 'scan_complete': True,
                     'erasable_left': 0, 'not_erasable_left': 1, 'read_back_by_module': True,
                     'duration_seconds': 0.38},
}


class TableReader(HTMLParser):
    """Collect the text of every table row, per section id, and the ids of the sections."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.sections = []
        self.rows = {}
        self.row = None
        self.cell = None
        self.resources = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == 'section':
            self.sections.append(attributes.get('id'))
        elif tag == 'tr':
            self.row = []
        elif tag in ('td', 'th'):
            self.cell = ''
        for name in ('src', 'href'):
            if name in attributes:
                self.resources.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.row is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == 'tr':
            self.rows.setdefault(self.sections[-1] if self.sections else None, []).append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def read(html):
    reader = TableReader()
    reader.feed(html)
    return reader


def test_sections_of_completed_erase():
    page = read(evidence_html(REPORT))

    assert page.sections == ['summary', 'timings', 'requests', 'totals', 'groups', 'subjects', 'erased',
                             'already-gone', 'not-erasable', 'failed', 'not-attempted', 'verification', 'scan']
    assert page.resources == []


def test_request_row_counts():
    rows = read(evidence_html(REPORT)).rows['requests']

    assert rows == [['request', 'type', 'subjects', 'found', 'erasable', 'to erase', 'erased'],
                    ['(one request)', 'forget', '2', '4', '3', '3', '3']]


def test_totals_row_counts():
    rows = read(evidence_html(REPORT)).rows['totals']

    assert rows == [['found', 'erasable', 'not erasable', 'planned', 'erased', 'already gone', 'failed',
                     'not attempted', 'access only', 'found after the search'],
                    ['4', '3', '1', '3', '3', '0', '0', '0', '0', '0']]


def test_totals_row_counts_settings_left_in_place():
    report = copy.deepcopy(REPORT)
    report['counts'].update(found=6, erasable=5, access_only=1, not_in_plan=1)

    rows = read(evidence_html(report)).rows['totals']

    assert rows[1] == ['6', '5', '1', '3', '3', '0', '0', '0', '1', '1']


def test_totals_row_of_older_report():
    """A report written before the access-only and after-the-search counts shows dashes for them."""
    report = copy.deepcopy(REPORT)
    del report['counts']['access_only']
    del report['counts']['not_in_plan']

    rows = read(evidence_html(report)).rows['totals']

    assert rows[1][-2:] == ['\u2013', '\u2013']


def test_group_rows_count_outcomes():
    rows = dict((row[0], row[1:]) for row in read(evidence_html(REPORT)).rows['groups'][1:])

    assert rows[FAVORITES] == ['2', '2', '0', '0', '0']
    assert rows[RECENTS] == ['1', '1', '0', '0', '0']
    assert rows['corporate-favorites'] == ['1', '0', '0', '1', '0']


def test_not_erasable_reason_shown():
    rows = read(evidence_html(REPORT)).rows['not-erasable']

    assert rows[0][-1] == 'reason'
    assert rows[1][0] == 'set-00000000000000b1'
    assert rows[1][-1] == 'contact-center setting; set include_contact_center to erase it'


def test_timings_and_versions():
    page = read(evidence_html(REPORT))
    timings = dict(page.rows['timings'])
    summary = dict(page.rows['summary'])

    assert timings['duration of the run'] == '1 min 05 s'
    assert timings['duration of the scan'] == '0.42 s'
    assert timings['duration of the verification scan'] == '0.38 s'
    assert summary['tool'] == 'gdpr.gws 0.1.0'
    assert summary['ansible-core'] == '2.19.14'
    assert summary['verification'] == 'passed'


def test_batch_report_has_row_per_request():
    report = copy.deepcopy(REPORT)
    report['requests'] = [
        {'id': 'GDPR-2026-0042', 'type': 'forget', 'subjects': ['subj-1111111111111111'],
         'counts': {'found': 2, 'erasable': 1, 'to_erase': 1, 'erased': 1}},
        {'id': 'GDPR-2026-0043', 'type': 'access', 'subjects': ['subj-2222222222222222'],
         'counts': {'found': 2, 'erasable': 2, 'to_erase': 0, 'erased': 0}},
    ]

    rows = read(evidence_html(report)).rows['requests']

    assert rows[1:] == [['GDPR-2026-0042', 'forget', '1', '2', '1', '1', '1'],
                        ['GDPR-2026-0043', 'access', '1', '2', '2', '0', '0']]
    assert evidence_summary(report)[3] == 'Subjects: 2 (email 1, phone 1; requests: 2)'


def test_optional_sections():
    report = copy.deepcopy(REPORT)
    report['found_not_erasable_by_this_collection'] = {
        'note': 'Rows outside the settings profile.', 'keyspace_scan': None,
        'rows': [{'row_id': 'row-0000000000000001', 'table': 'sipfs.audit', 'columns': ['payload'],
                  'subjects': ['subj-1111111111111111'], 'requests': [], 'reason': 'table outside the profile'}]}
    report['storage'] = {'note': 'A delete writes a tombstone.', 'tables': [
        {'table': 'sipfs.settings', 'erased': 3, 'erased_at': '2026-12-04T10:01:00Z', 'gc_grace_seconds': 864000,
         'tombstones_purgeable_from': '2026-12-14T10:01:00Z', 'compaction': 'SizeTieredCompactionStrategy'}]}
    report['disk_erasure'] = {'requested': False, 'performed': False}
    report['access_exports'] = {'note': 'Listed without content.', 'files': []}

    page = read(evidence_html(report))

    assert page.sections[-5:] == ['outside-profile', 'storage', 'disk-erasure', 'access-exports', 'scan']
    assert page.rows['outside-profile'][1] == ['row-0000000000000001', 'sipfs.audit', 'payload',
                                               'subj-1111111111111111', '\u2013', 'table outside the profile']
    assert page.rows['storage'][1] == ['sipfs.settings', '3', '2026-12-04T10:01:00Z', '864000',
                                       '2026-12-14T10:01:00Z', 'SizeTieredCompactionStrategy']
    assert dict(page.rows['disk-erasure']) == {'performed': 'no', 'requested': 'no'}
    assert 'access-exports' not in page.rows


def test_values_are_escaped():
    report = copy.deepcopy(REPORT)
    report['outcome'] = 'failed'
    report['error'] = {'task': 'Erase <b>', 'message': '<script>alert(1)</script> & more'}
    report['settings']['failed'] = [setting('set-00000000000000c1', '<img src=x>', ['subj-1111111111111111'],
                                            error='HTTP 500 <html>')]

    html = evidence_html(report)

    assert '<script>' not in html
    assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; more' in html
    assert '<img' not in html
    assert 'HTTP 500 &lt;html&gt;' in html
    assert read(html).resources == []


@pytest.mark.parametrize('changes, expected', [
    ({'dry_run': True}, '4 settings contain the subjects: 3 to erase in a real run, 1 not erasable.'),
    ({'cleanup': False}, '4 settings contain the subjects. Nothing was erased, because erasing was not requested.'),
    ({'dry_run': True, 'cleanup': False}, '4 settings contain the subjects. Nothing would be erased, because erasing '
                                          'was not requested; 3 of them can be erased with cleanup true.'),
    ({}, '4 settings contained the subjects: 3 erased, 1 not erasable, 0 failed.'),
    ({'outcome': 'failed', 'error': {'task': 'Search', 'message': 'keyspace not found'}},
     'The run failed in task "Search": keyspace not found'),
])
def test_headline_per_mode(changes, expected):
    report = dict(REPORT, **changes)

    assert escape(expected) in evidence_html(report)
    assert evidence_summary(report)[1] == expected


# A batch of forget and access requests: 15 settings of forget requests, 6 only of access requests,
# 1 not erasable, and in the real run 4 settings that were new since the search of a sharded run.
BATCH_COUNTS = dict(REPORT['counts'], found=22, erasable=21, not_erasable=1, access_only=6, planned=15, erased=15)


@pytest.mark.parametrize('changes, counts, expected', [
    ({'dry_run': True}, dict(BATCH_COUNTS, erased=0),
     '22 settings contain the subjects: 15 to erase in a real run, 6 reported for access requests, '
     '1 not erasable.'),
    ({}, dict(BATCH_COUNTS, found=26, erasable=25, not_in_plan=4),
     '26 settings contained the subjects: 15 erased, 6 reported for access requests, '
     '4 found after the search and left for the next run, 1 not erasable, 0 failed.'),
])
def test_headline_counts_every_setting(changes, counts, expected):
    report = dict(REPORT, counts=counts, **changes)

    assert evidence_summary(report)[1] == expected
    assert escape(expected) in evidence_html(report)


def failed_partial_erase():
    """Return a report of a real erase that stopped after 3 of 15 deletes."""
    report = copy.deepcopy(REPORT)
    report['outcome'] = 'failed'
    report['error'] = {'task': 'Fail the run because the erase failed',
                       'message': '3 of 15 settings were erased and 12 were not (11 failed, 1 not attempted).'}
    report['counts'].update(found=16, erasable=15, planned=15, erased=3, failed=11, not_attempted=1, not_erased=12)
    report['settings']['erased'] = ERASED
    report['settings']['failed'] = [setting('set-0000000000000%03d' % index, FAVORITES, ['subj-1111111111111111'],
                                            error='HTTP 503') for index in range(11)]
    report['settings']['not_attempted'] = [setting('set-00000000000000d1', RECENTS, ['subj-2222222222222222'])]
    report['settings']['not_erased'] = report['settings']['failed'] + report['settings']['not_attempted']
    report['verification'] = {'performed': False, 'passed': None, 'not_performed_reason': 'an earlier step failed'}
    return report


def test_failed_erase_summary_counts():
    lines = evidence_summary(failed_partial_erase())

    assert lines[1].startswith('The run failed in task "Fail the run because the erase failed": 3 of 15')
    assert lines[2] == 'Erase before the failure: 3 of 15 planned settings erased, 11 failed, 1 not attempted.'
    assert lines[3] == 'Verification: not performed (an earlier step failed)'


def test_failed_erase_page_lists_settings():
    html = evidence_html(failed_partial_erase())
    page = read(html)

    assert '<p id="erase-before-failure">Erase before the failure: 3 of 15 planned settings erased' in html
    assert page.rows['totals'][1] == ['16', '15', '1', '15', '3', '0', '11', '1', '0', '0']
    assert len(page.rows['erased']) == 1 + 3
    assert len(page.rows['failed']) == 1 + 11
    assert len(page.rows['not-attempted']) == 1 + 1
    assert len(page.rows['not-erased']) == 1 + 12
    assert '<h2>Erased settings (3)</h2>' in html


def test_failed_search_has_no_erase_line():
    report = dict(REPORT, outcome='failed', error={'task': 'Search', 'message': 'keyspace not found'})
    report['counts'] = dict(REPORT['counts'], planned=0)

    lines = evidence_summary(report)

    assert lines[2].startswith('Verification:')
    assert 'erase-before-failure' not in evidence_html(report)


def test_verification_not_performed_reason():
    report = dict(REPORT, dry_run=True, verification={'performed': False, 'passed': None,
                                                      'not_performed_reason': 'dry run, nothing was erased'})

    rows = dict(read(evidence_html(report)).rows['verification'])

    assert rows == {'result': 'not performed', 'reason': 'dry run, nothing was erased'}
    assert evidence_summary(report)[2] == 'Verification: not performed (dry run, nothing was erased)'


def test_summary_lines():
    lines = evidence_summary(REPORT)

    assert lines[0] == 'Run 4f0c2a44-5ad1-5f3e-9a5b-0b7f3c1d2e11 on localhost: completed, erase'
    assert lines[2] == 'Verification: passed, the second scan found no erasable setting with the subjects'
    assert lines[3] == 'Subjects: 2 (email 1, phone 1)'
    assert lines[4] == ('Found per settings group: corporate-favorites 1, %s 2, %s 1' % (FAVORITES, RECENTS))
    assert lines[5] == 'Duration: 1 min 05 s (scan 0.42 s)'
    assert lines[6] == 'Tool: gdpr.gws 0.1.0 on ansible-core 2.19.14'


def test_empty_report_renders():
    html = evidence_html({})

    assert html.startswith('<!DOCTYPE html>')
    assert re.search(r'<p>None\.</p>', html)


@pytest.mark.parametrize('value', [None, [], 'report'])
def test_rejects_non_mapping(value):
    with pytest.raises(AnsibleFilterError, match='needs the evidence report as a mapping'):
        evidence_html(value)
    with pytest.raises(AnsibleFilterError, match='needs the evidence report as a mapping'):
        evidence_summary(value)


ONE_SETTING = dict(REPORT['counts'], found=1, erasable=1, not_erasable=0, planned=1, erased=1)


@pytest.mark.parametrize('changes, expected', [
    ({'dry_run': True}, '1 setting contains the subject: 1 to erase in a real run, 0 not erasable.'),
    ({'cleanup': False}, '1 setting contains the subject. Nothing was erased, because erasing was not requested.'),
    ({}, '1 setting contained the subject: 1 erased, 0 not erasable, 0 failed.'),
])
def test_headline_singular(changes, expected):
    report = dict(REPORT, counts=ONE_SETTING, subjects=REPORT['subjects'][:1], **changes)

    assert evidence_summary(report)[1] == expected
    assert escape(expected) in evidence_html(report)


def test_headline_one_setting_two_subjects():
    report = dict(REPORT, counts=ONE_SETTING, cleanup=False)

    assert evidence_summary(report)[1].startswith('1 setting contains the subjects.')


def test_erase_before_failure_singular():
    report = failed_partial_erase()
    report['counts'].update(found=1, erasable=1, planned=1, erased=0, failed=1, not_attempted=0, not_erased=1)

    expected = 'Erase before the failure: 0 of 1 planned setting erased, 1 failed, 0 not attempted.'
    assert evidence_summary(report)[2] == expected
    assert expected in evidence_html(report)


@pytest.mark.parametrize('left, subjects, expected', [
    (1, 2, 'Verification: FAILED, 1 erasable setting still contains the subjects'),
    (2, 2, 'Verification: FAILED, 2 erasable settings still contain the subjects'),
    (1, 1, 'Verification: FAILED, 1 erasable setting still contains the subject'),
    (2, 1, 'Verification: FAILED, 2 erasable settings still contain the subject'),
])
def test_failed_verification_count(left, subjects, expected):
    report = dict(REPORT, subjects=REPORT['subjects'][:subjects],
                  verification=dict(REPORT['verification'], passed=False, erasable_left=left))

    assert evidence_summary(report)[2] == expected


def test_passed_verification_one_subject():
    report = dict(REPORT, subjects=REPORT['subjects'][:1])

    assert evidence_summary(report)[2] == ('Verification: passed, the second scan found no erasable setting '
                                           'with the subject')


def failed_before_search(**changes):
    """Return the report of a run whose search failed, so no subject and no setting was counted."""
    report = dict(REPORT, outcome='failed', cleanup=False, subjects=[], requests=[],
                  error={'task': 'Wait for the end of the scan: search',
                         'message': 'cannot connect to Cassandra at 127.0.0.1 (port 9042)'},
                  scan={}, verification={'performed': False, 'passed': None,
                                         'not_performed_reason': 'cleanup is false, nothing was erased'})
    report['counts'] = dict(REPORT['counts'], found=0, erasable=0, not_erasable=0, planned=0, erased=0,
                            per_subject={}, per_group={})
    report['settings'] = dict((key, []) for key in REPORT['settings'])
    report.update(changes)
    return report


def test_failed_search_summary_subjects_given():
    lines = evidence_summary(failed_before_search(subjects_given=2))

    assert 'Subjects: 0 ()' not in lines
    assert lines[3] == 'Subjects: 2 given, not counted by kind because the run failed before the search returned'
    assert lines[4] == 'Found per settings group: not known, because the run failed before the search returned'


def test_failed_search_summary_older_report():
    """A report written before subjects_given existed gives the number of subjects as not known."""
    lines = evidence_summary(failed_before_search())

    assert lines[3] == 'Subjects: not known, because the run failed before the search returned'


def test_failed_search_page_subjects():
    html = evidence_html(failed_before_search(subjects_given=2, batch=False))
    page = read(html)

    assert '<p>Subjects: 2 given, not counted by kind because the run failed before the search returned.</p>' in html
    assert 'subjects' not in page.rows
    assert page.rows['requests'][1][:3] == ['(one request)', 'search', '2']


def test_failed_search_request_row_not_known():
    rows = read(evidence_html(failed_before_search(subjects_given=2, batch=False))).rows['requests']

    assert rows[1] == ['(one request)', 'search', '2', 'not known', 'not known', 'not known', '0']


def test_failed_search_totals_not_known():
    """Counts of the search read as not known, and the deletes stay 0 because they start after the search."""
    html = evidence_html(failed_before_search(subjects_given=2, batch=False))
    rows = read(html).rows['totals']

    assert rows[1] == ['not known', 'not known', 'not known', 'not known', '0', '0', '0', '0', 'not known',
                       'not known']
    assert '<p class="note" id="not-counted">The run failed before the search returned' in html


def test_failed_search_groups_not_known():
    html = evidence_html(failed_before_search(subjects_given=2, batch=False))

    assert 'groups' not in read(html).rows
    assert ('<p>Settings found per group: not known, because the run failed before the search returned.</p>'
            in html)


def test_failed_search_not_erasable_not_known():
    html = evidence_html(failed_before_search(subjects_given=2, batch=False))

    assert '<h2>Found but not erasable (not known)</h2>' in html
    assert '<h2>Erased settings (0)</h2>' in html
    assert 'not-erasable' not in read(html).rows


# The requests of a checked batch, as the role writes them when the run failed before the search returned.
BATCH_NOT_COUNTED = [
    {'id': 'REQ-2026-0101', 'type': 'forget', 'subjects': None, 'subjects_given': 2,
     'counts': {'found': None, 'erasable': None, 'to_erase': None, 'erased': 0}, 'settings': None},
    {'id': 'REQ-2026-0102', 'type': 'access', 'subjects': None, 'subjects_given': 1,
     'counts': {'found': None, 'erasable': None, 'to_erase': None, 'erased': 0}, 'settings': None},
]


def test_failed_batch_row_per_request():
    report = failed_before_search(subjects_given=3, batch=True, requests=BATCH_NOT_COUNTED)

    rows = read(evidence_html(report)).rows['requests']

    assert rows[1:] == [['REQ-2026-0101', 'forget', '2', 'not known', 'not known', 'not known', '0'],
                        ['REQ-2026-0102', 'access', '1', 'not known', 'not known', 'not known', '0']]


def test_failed_batch_summary_requests():
    report = failed_before_search(subjects_given=3, batch=True, requests=BATCH_NOT_COUNTED)

    assert evidence_summary(report)[3] == ('Subjects: 3 given, not counted by kind because the run failed before '
                                           'the search returned; requests: 2')


@pytest.mark.parametrize('batch', [True, None])
def test_failed_search_requests_not_known(batch):
    """Without the batch's requests, and in reports written before 'batch', no request row is made up."""
    report = failed_before_search(subjects_given=3)
    if batch is not None:
        report['batch'] = batch
    html = evidence_html(report)

    assert 'requests' not in read(html).rows
    assert '<p>Requests: not known, because the run failed before the search returned.</p>' in html
    assert '(one request)' not in html


UNKNOWN_VARIABLES = [{'name': 'clenaup', 'similar_to': 'cleanup'}, {'name': 'group_nmae', 'similar_to': 'group_name'}]
UNKNOWN_VARIABLE_LINES = [
    "Warning: 'clenaup' is not a variable of gdpr.gws.forget_me and was ignored. Did you mean 'cleanup'?",
    "Warning: 'group_nmae' is not a variable of gdpr.gws.forget_me and was ignored. Did you mean 'group_name'?",
]


def test_unknown_variables_in_summary():
    lines = evidence_summary(dict(REPORT, cleanup=False, unknown_variables=UNKNOWN_VARIABLES))

    assert lines[1].endswith('Nothing was erased, because erasing was not requested.')
    assert lines[2:4] == UNKNOWN_VARIABLE_LINES
    assert lines[4].startswith('Verification:')


def test_unknown_variables_on_page():
    html = evidence_html(dict(REPORT, cleanup=False, unknown_variables=UNKNOWN_VARIABLES))

    assert '<ul class="warnings" id="unknown-variables"><li>%s</li><li>%s</li></ul>' % tuple(
        escape(line) for line in UNKNOWN_VARIABLE_LINES) in html


def test_no_unknown_variables_no_warning():
    assert not any(line.startswith('Warning:') for line in evidence_summary(dict(REPORT, unknown_variables=[])))
    assert 'unknown-variables' not in evidence_html(REPORT)
