# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of the playbook gdpr.gws.forget_me and its role on the lab inventory."""

import json
import re
import socket

from lab_helpers import (DEMO_EMAIL, DEMO_PHONE, LAB_VAULT_PASSWORD, ansible_playbook, locations_of,
                         settings_fingerprint)

DEMO_REQUEST = {'subjects': [DEMO_EMAIL, DEMO_PHONE], 'cleanup': True}


def forget_me(tmp_path, extra_vars, *options):
    """Run the playbook on the lab inventory with reports in tmp_path; return (process, newest report)."""
    reports = tmp_path / 'reports'
    variables = tmp_path / 'request.json'
    variables.write_text(json.dumps(dict(extra_vars, forget_me_report_dir=str(reports))))
    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', '@%s' % variables, *options)
    newest = max(reports.glob('*.json'), key=lambda path: path.stat().st_mtime) if reports.exists() else None
    return completed, newest


def recap_changed(output):
    match = re.search(r'^localhost\s+: ok=\d+\s+changed=(\d+)', output, re.MULTILINE)
    assert match, output[-2000:]
    return int(match.group(1))


def assert_no_personal_data(text):
    assert DEMO_EMAIL not in text.lower()
    assert '7946 0958' not in text
    assert '2079460958' not in text
    assert 'lab-admin-password' not in text


def test_dry_run_then_erase_then_nothing(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    dry, dry_report = forget_me(tmp_path, DEMO_REQUEST, '--check', '--diff')
    assert dry.returncode == 0, dry.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    dry_evidence = json.loads(dry_report.read_text())
    assert dry_evidence['dry_run'] is True

    real, real_report = forget_me(tmp_path, DEMO_REQUEST)
    assert real.returncode == 0, real.stdout[-3000:]
    assert recap_changed(real.stdout) >= 1
    assert set(before) - set(settings_fingerprint(cql)) == expected

    again, again_report = forget_me(tmp_path, DEMO_REQUEST)
    assert again.returncode == 0, again.stdout[-3000:]
    assert recap_changed(again.stdout) == 0

    evidence = json.loads(real_report.read_text())
    assert evidence['dry_run'] is False
    for process in (dry, real, again):
        assert_no_personal_data(process.stdout + process.stderr)
    for report in (dry_report, real_report, again_report):
        assert_no_personal_data(report.read_text())
        assert oct(report.stat().st_mode & 0o777) == '0o600'


def test_report_counts_erased_settings(seeded, tmp_path):
    expected = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    completed, report = forget_me(tmp_path, DEMO_REQUEST)

    assert completed.returncode == 0, completed.stdout[-3000:]
    evidence = json.loads(report.read_text())
    assert evidence['counts']['erased'] == len(expected)
    assert evidence['counts']['not_erasable'] == 1
    assert evidence['scan']['complete'] is True
    assert len(evidence['settings']['erased']) == len(expected)
    assert len(evidence['subjects']) == 2
    assert all(subject['id'].startswith('subj-') for subject in evidence['subjects'])


def test_partial_erase_reported_in_evidence(seeded, tmp_path, cql, gws_faults):
    before = settings_fingerprint(cql)
    planned = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')
    # The first 3 deletes succeed, then GWS returns HTTP 503 for every delete.
    gws_faults.set({'kind': 'error', 'status': 503, 'methods': ['DELETE'], 'skip': 3})

    completed, report = forget_me(tmp_path, DEMO_REQUEST)

    assert completed.returncode != 0
    erased = set(before) - set(settings_fingerprint(cql))
    assert len(erased) == 3
    assert '3 of %d settings were erased' % len(planned) in completed.stdout
    evidence = json.loads(report.read_text())
    counts = evidence['counts']
    assert evidence['outcome'] == 'failed'
    assert counts['planned'] == len(planned)
    assert counts['erased'] + counts['already_gone'] == 3
    assert counts['failed'] + counts['not_attempted'] == len(planned) - 3
    assert counts['failed'] > 0
    assert counts['not_erased'] == len(planned) - 3
    assert len(evidence['settings']['erased']) == counts['erased']
    assert len(evidence['settings']['failed']) == counts['failed']
    assert len(evidence['settings']['not_attempted']) == counts['not_attempted']
    assert len(evidence['settings']['planned']) == len(planned)
    assert evidence['verification']['performed'] is False

    html = report.with_suffix('.html').read_text()
    assert '<h2>Erased settings (%d)</h2>' % counts['erased'] in html
    assert '<h2>Failed deletes (%d)</h2>' % counts['failed'] in html
    assert '<h2>Planned but not erased (%d)</h2>' % (len(planned) - 3) in html
    assert 'Erase before the failure: 3 of %d planned settings erased' % len(planned) in html
    assert 'Erase before the failure: 3 of %d planned settings erased' % len(planned) in completed.stdout
    assert_no_personal_data(completed.stdout + completed.stderr + report.read_text() + html)


def test_original_names_search_only(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, {'search': DEMO_EMAIL, 'cleanup': 'false',
                                             'group_name': 'interaction-workspace-personal-favorites',
                                             'cass_keyspace': 'sipfs', 'cass_hostname': '127.0.0.1'})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert report is not None
    assert_no_personal_data(completed.stdout + report.read_text())


def test_missing_subjects_fails_clearly(tmp_path):
    completed, _report = forget_me(tmp_path, {'cleanup': True})

    assert completed.returncode != 0
    assert 'No subjects given' in completed.stdout


def warnings_of(completed):
    """Return the Ansible warnings of a run, each on one line (ansible-core wraps long warnings)."""
    return ' '.join(completed.stderr.split())


def test_misspelled_cleanup_warns(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    # The value is one that no output may show: the warning names variables, never their values.
    completed, report = forget_me(tmp_path, {'search': DEMO_EMAIL, 'clenaup': 'value-never-shown'})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert ("[WARNING]: 'clenaup' is not a variable of gdpr.gws.forget_me, so it is ignored. Did you mean 'cleanup'?"
            in warnings_of(completed))
    summary = ("Warning: 'clenaup' is not a variable of gdpr.gws.forget_me and was ignored. "
               "Did you mean 'cleanup'?")
    assert summary in completed.stdout
    evidence = json.loads(report.read_text())
    assert evidence['unknown_variables'] == [{'name': 'clenaup', 'similar_to': 'cleanup', 'stops': 'erase'}]
    assert summary in report.with_suffix('.html').read_text().replace('&#x27;', "'")
    assert 'value-never-shown' not in completed.stdout + completed.stderr + report.read_text()
    assert_no_personal_data(completed.stdout + completed.stderr + report.read_text())


def test_misspelled_group_name_stops_erase(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, dict(DEMO_REQUEST, group_nmae='interaction-workspace-recents'))

    assert completed.returncode != 0
    assert settings_fingerprint(cql) == before
    assert report is None
    assert "'group_nmae' (did you mean 'group_name'?)" in completed.stdout
    assert 'nothing was searched or erased' in completed.stdout
    assert 'interaction-workspace-recents' not in completed.stdout + completed.stderr
    assert_no_personal_data(completed.stdout + completed.stderr)


def test_prefixed_or_capitalized_names_stop_erase(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    extra_vars = dict(DEMO_REQUEST, forget_me_group_name='interaction-workspace-recents', CLEANUP='true')
    extra_vars['group_name '] = 'interaction-workspace-recents'

    completed, report = forget_me(tmp_path, extra_vars)

    assert completed.returncode != 0
    assert settings_fingerprint(cql) == before
    assert report is None
    assert "'CLEANUP' (did you mean 'cleanup'?)" in completed.stdout
    assert "'forget_me_group_name' (did you mean 'forget_me_groups'?)" in completed.stdout
    assert "'group_name ' (did you mean 'group_name'?)" in completed.stdout
    assert 'interaction-workspace-recents' not in completed.stdout + completed.stderr


def test_value_split_at_a_space_stops_the_run(seeded, tmp_path, cql):
    """In name=value form, -e "subjects=a, b" reads as subjects "a," and words without a name: the number is lost."""
    before = settings_fingerprint(cql)

    completed = ansible_playbook('gdpr.gws.forget_me', '-i', 'inventories/lab', '--vault-password-file',
                                 LAB_VAULT_PASSWORD, '-e', 'forget_me_report_dir=%s' % (tmp_path / 'reports'),
                                 '-e', 'subjects=%s, %s' % (DEMO_EMAIL, DEMO_PHONE))

    assert completed.returncode != 0
    assert settings_fingerprint(cql) == before
    assert 'an -e value in name=value form has a space in it' in ' '.join(completed.stdout.split()).lower()
    assert 'Nothing was searched or erased.' in completed.stdout
    assert_no_personal_data(completed.stdout + completed.stderr)


def test_malformed_subject_summary(tmp_path):
    completed, report = forget_me(tmp_path, {'search': 'not-a-subject'})

    assert completed.returncode != 0
    evidence = json.loads(report.read_text())
    assert evidence['outcome'] == 'failed'
    assert evidence['subjects_given'] == 1
    assert 'Subjects: 0 ()' not in completed.stdout
    assert ('Subjects: 1 given, not counted by kind because the run failed before the search returned'
            in completed.stdout)
    assert evidence['batch'] is False
    html = report.with_suffix('.html').read_text()
    assert ('<tr><td>(one request)</td><td>search</td><td class="number">1</td><td class="number">not known</td>'
            in html)
    assert '<td class="number">found 0' not in html
    assert 'Settings found per group: not known, because the run failed before the search returned.' in html
    assert 'not-a-subject' not in html


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_batch_failed_before_search_lists_requests(tmp_path):
    batch = tmp_path / 'batch.json'
    batch.write_text(json.dumps({'requests': [
        {'id': 'REQ-2026-0101', 'type': 'forget', 'emails': [DEMO_EMAIL], 'phones': [DEMO_PHONE]},
        {'id': 'REQ-2026-0102', 'type': 'access', 'emails': ['max.mustermann@example.org']},
    ]}))

    # Nothing listens on the port, so the search fails before it returns.
    completed, report = forget_me(tmp_path, {'request_file': str(batch), 'cleanup': True,
                                             'cass_port': free_port()})

    assert completed.returncode != 0
    evidence = json.loads(report.read_text())
    assert evidence['outcome'] == 'failed'
    assert evidence['batch'] is True
    assert [(request['id'], request['type'], request['subjects_given']) for request in evidence['requests']] == [
        ('REQ-2026-0101', 'forget', 2), ('REQ-2026-0102', 'access', 1)]
    for request in evidence['requests']:
        assert request['counts'] == {'found': None, 'erasable': None, 'to_erase': None, 'erased': 0}
    html = report.with_suffix('.html').read_text()
    for request_id, request_type, subjects in (('REQ-2026-0101', 'forget', 2), ('REQ-2026-0102', 'access', 1)):
        assert ('<tr><td>%s</td><td>%s</td><td class="number">%d</td><td class="number">not known</td>'
                % (request_id, request_type, subjects)) in html
    assert '(one request)' not in html
    assert ('Subjects: 3 given, not counted by kind because the run failed before the search returned; '
            'requests: 2') in completed.stdout
    assert_no_personal_data(completed.stdout + completed.stderr + report.read_text() + html)
    assert 'max.mustermann' not in completed.stdout + report.read_text() + html


def test_wrong_password_fails_without_erasing(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)

    completed, report = forget_me(tmp_path, dict(DEMO_REQUEST, gws_user_password='wrong-password'))

    assert completed.returncode != 0
    assert 'credentials' in completed.stdout
    assert settings_fingerprint(cql) == before
    assert 'wrong-password' not in completed.stdout + report.read_text()


def progress_lines(output, scan_name):
    """Return the messages of the role's progress task for one scan, in order."""
    pattern = (r'TASK \[gdpr\.gws\.forget_me : Show the progress of the scan: %s\] \*+\nok: \[localhost\] => '
               r'\{\n    "msg": "([^"\n]*)"' % scan_name)
    return re.findall(pattern, output)


def test_progress_waits_during_retry_after(seeded, tmp_path, gws_faults):
    # The erase module's scan finishes long before GWS accepts its first delete, 20 s later.
    gws_faults.set({'kind': 'throttle', 'retry_after': 20, 'methods': ['DELETE'], 'count': 1})

    completed, _report = forget_me(tmp_path, DEMO_REQUEST)

    assert completed.returncode == 0, completed.stdout[-3000:]
    lines = progress_lines(completed.stdout, 'erase')
    # Cycles wait 5, 10 and 15 s, so 20 s take 3 cycles and the last line. A loop that does not wait
    # after the scan finished prints a line about every second.
    assert 2 <= len(lines) <= 5, lines
    assert any('scan finished, the module is still running' in line for line in lines), lines
    assert lines[-1].endswith(', finished'), lines
    since_start = [int(re.search(r'(\d+) s since the start', line).group(1)) for line in lines]
    assert since_start == sorted(set(since_start)), lines
    assert since_start[-1] >= 20, lines
    stalled = [int(seconds) for line in lines for seconds in re.findall(r'no progress for (\d+) s', line)]
    assert stalled, lines
    assert max(stalled) >= 5, lines


def test_check_diff_shows_masked_settings(seeded, tmp_path, cql):
    before = settings_fingerprint(cql)
    planned = locations_of(seeded, 'demo_email', 'demo_phone', scope='user')

    completed, _report = forget_me(tmp_path, DEMO_REQUEST, '--check', '--diff')

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    shown = re.search(r'TASK \[gdpr\.gws\.forget_me : Show the settings to erase[^\]]*\] \*+\n(ok|skipping): '
                      r'\[localhost\](.*?)\n\nTASK', completed.stdout, re.DOTALL)
    assert shown, completed.stdout[-3000:]
    assert shown.group(1) == 'ok', shown.group(0)
    diff = json.loads(shown.group(2).split('=>', 1)[1])['msg']
    assert diff['after'] == []
    # Each setting is a line with its id, location and masked key, then a line with its masked value.
    assert len([line for line in diff['before'] if ' key=' in line]) == len(planned)
    assert any('***' in line for line in diff['before'])
    assert_no_personal_data(completed.stdout + completed.stderr)


def test_play_module_defaults_reach_the_modules(seeded, tmp_path, cql):
    """Scan options set for the play on group/gdpr.gws.all are not replaced by the role's own defaults."""
    before = settings_fingerprint(cql)
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{
        'name': 'Forget with play-level scan options',
        'hosts': 'gdpr_runners',
        'gather_facts': False,
        # Valid on their own, but not together, so the module's check proves that both arrived.
        'module_defaults': {'group/gdpr.gws.all': {'scan_processes': 2, 'scan_concurrency': 1}},
        'roles': [{'role': 'gdpr.gws.forget_me', 'vars': {
            'forget_me_subjects': [DEMO_EMAIL], 'forget_me_cleanup': True,
            'forget_me_report_dir': str(tmp_path / 'reports')}}],
    }]))

    completed = ansible_playbook(playbook, '-i', 'inventories/lab', '--vault-password-file', LAB_VAULT_PASSWORD)

    assert completed.returncode != 0
    assert 'scan_processes (2) must be at most scan_concurrency (1)' in completed.stdout
    assert settings_fingerprint(cql) == before


# A play of the user's own that takes the playbook's short names and reads another extra variable.
OWN_PLAY = '''
- name: Forget a subject from a ticket
  hosts: gdpr_runners
  gather_facts: false
  roles:
    - role: gdpr.gws.forget_me
      vars:
        forget_me_subjects: "{{ subjects }}"
        forget_me_cleanup: "{{ cleanup | bool }}"
  post_tasks:
    - name: Close the ticket
      ansible.builtin.debug:
        msg: "The ticket would be closed as {{ username }}."
'''


def test_role_in_own_play_only_warns(seeded, tmp_path, cql):
    """In a play of the user's own, an extra variable that resembles a role variable may be the play's: it only warns."""
    before = settings_fingerprint(cql)
    play = tmp_path / 'own.yml'
    play.write_text(OWN_PLAY)
    variables = tmp_path / 'vars.json'
    variables.write_text(json.dumps({'subjects': [DEMO_EMAIL], 'cleanup': True, 'username': 'ticket-bot',
                                     'forget_me_report_dir': str(tmp_path / 'reports')}))

    completed = ansible_playbook(str(play), '-i', 'inventories/lab', '--vault-password-file', LAB_VAULT_PASSWORD,
                                 '-e', '@%s' % variables, '--check')

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert settings_fingerprint(cql) == before
    assert "'username' is not a variable of gdpr.gws.forget_me" in warnings_of(completed)
    assert 'The ticket would be closed as ticket-bot.' in completed.stdout
    assert "'subjects' is not a variable" not in warnings_of(completed)
    assert "'cleanup' is not a variable" not in warnings_of(completed)


def test_subjects_split_at_fullwidth_comma(seeded, tmp_path):
    """A survey answer typed with an East Asian input method separates subjects with a fullwidth or ideographic comma."""
    completed, report = forget_me(tmp_path, {'subjects': '%s\uff0c%s' % (DEMO_EMAIL, DEMO_PHONE), 'default_region': 'GB'})

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert sorted(subject['kind'] for subject in json.loads(report.read_text())['subjects']) == ['email', 'phone']
    assert_no_personal_data(completed.stdout + completed.stderr)
