# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of the scan in worker processes (scan_processes) against the lab's Cassandra.

Worker processes must find exactly what one process finds, and any worker that cannot connect,
fails or dies must leave the scan incomplete, so that nothing is deleted.
"""

import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from lab_helpers import (CQL_PORT, DEMO_EMAIL, DEMO_PHONE, KEYSPACE, collection_path, lab_connection,
                         search_connection, settings_fingerprint)

sys.path.insert(0, collection_path())
from ansible_collections.gdpr.gws.plugins.module_utils import _scan  # noqa: E402
from ansible_collections.gdpr.gws.plugins.module_utils._matching import Matcher  # noqa: E402
from ansible_collections.gdpr.gws.plugins.module_utils._profile import load_profile  # noqa: E402
from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects  # noqa: E402

from test_cassandra_faults import FAULT_AFTER_BYTES, SCAN_RANGES  # noqa: E402

TEST_EMAIL = 'max.mustermann@example.org'
TEST_PHONE = '+1 202-555-0143'
SUBJECTS = [DEMO_EMAIL, DEMO_PHONE, TEST_EMAIL, TEST_PHONE]


def info(run_module, **options):
    arguments = dict(search_connection(), subjects=SUBJECTS, default_region='GB', hash_salt='worker-test-salt',
                     include_contact_center=True)
    arguments.update(options)
    return run_module('personal_data_info', **arguments)


@pytest.mark.parametrize('token_slice', [None, '2/3'])
def test_processes_find_what_one_process_finds(seeded, run_module, token_slice):
    slice_option = {'token_slice': token_slice} if token_slice else {}
    single = info(run_module, token_ranges=32, **slice_option)
    several = info(run_module, token_ranges=32, scan_processes=3, scan_concurrency=6, **slice_option)

    assert single['matches'], 'the seed must contain the subjects, or the test proves nothing'
    assert [match['setting_id'] for match in several['matches']] == [match['setting_id'] for match in single['matches']]
    assert several['counts'] == single['counts']
    assert several['scan']['complete'] is True
    assert several['scan']['token_ranges'] == single['scan']['token_ranges']


def test_processes_erase_like_one_process(seeded, run_module, cql):
    before = settings_fingerprint(cql)
    options = dict(lab_connection(), subjects=[DEMO_EMAIL, DEMO_PHONE], default_region='GB', hash_salt='worker-test-salt')
    planned = run_module('personal_data', check=True, **options)

    result = run_module('personal_data', scan_processes=2, **options)

    assert result['failed'] is False, result.get('msg')
    assert result['verified'] is True
    assert sorted(entry['setting_id'] for entry in result['deleted']) == sorted(
        entry['setting_id'] for entry in planned['planned'])
    assert len(before) - len(settings_fingerprint(cql)) == len(planned['planned'])


def test_node_down_during_scan_in_processes_deletes_nothing(seeded, run_module, cql, cassandra_proxy, access_log):
    before = settings_fingerprint(cql)
    cassandra_proxy.fail_after(FAULT_AFTER_BYTES, 'down', 2.0)

    result = run_module('personal_data', subjects=[DEMO_EMAIL, DEMO_PHONE], default_region='GB',
                        token_ranges=SCAN_RANGES, scan_processes=2,
                        **dict(lab_connection(), cassandra_port=cassandra_proxy.port))

    assert result['failed'] is True
    assert 'The scan is incomplete' in result['msg']
    assert 'Nothing was deleted' in result['msg']
    assert result['scan']['complete'] is False
    assert access_log.requests('DELETE') == []
    assert settings_fingerprint(cql) == before


def test_processes_option_checked(run_module):
    result = info(run_module, scan_processes=8, scan_concurrency=4)

    assert result['failed'] is True
    assert result['msg'] == ('scan_processes (8) must be at most scan_concurrency (4), because each process reads '
                             'at least one token range at a time')


# The scan function itself, with workers that fail in ways a module run cannot arrange.
def lab_session():
    return _scan.connect(['127.0.0.1'], port=CQL_PORT, consistency_level='ONE')


def scan_in_processes(matcher, reconnect, processes=2, stall_timeout=None):
    cluster, session = lab_session()
    try:
        return _scan.scan(session, KEYSPACE, load_profile(None), matcher, concurrency=4, split_count=16,
                          processes=processes, reconnect=reconnect, stall_timeout=stall_timeout)
    finally:
        cluster.shutdown()


def test_scan_in_processes_matches_threads(seeded):
    matcher = Matcher(parse_subjects(SUBJECTS), default_region='GB')
    cluster, session = lab_session()
    try:
        threads = _scan.scan(session, KEYSPACE, load_profile(None), matcher, concurrency=4, split_count=16)
    finally:
        cluster.shutdown()
    processes = scan_in_processes(matcher, lab_session)

    assert threads.matches
    assert processes.matches == threads.matches
    assert processes.rows_scanned == threads.rows_scanned
    assert processes.ranges_done == threads.ranges_done
    assert processes.complete is True
    assert processes.rows_read == threads.rows_read


def test_workers_that_cannot_connect_fail_every_range(seeded):
    def fail_to_connect():
        raise _scan.ScanError('cannot connect')

    result = scan_in_processes(Matcher(parse_subjects(SUBJECTS)), fail_to_connect)

    assert result.complete is False
    assert result.ranges_done == 0
    assert len(result.failed_ranges) == 16
    assert set(failed['error'] for failed in result.failed_ranges) == {'ScanError'}


class MatcherFailingInWorkers(Matcher):
    """A matcher whose copies in worker processes call fault() at their first page."""

    def __init__(self, subjects, fault):
        super().__init__(subjects)
        self.parent_pid = os.getpid()
        self.fault = fault

    def candidates(self, texts):
        if os.getpid() != self.parent_pid:
            self.fault()
        return super().candidates(texts)


def kill_this_process():
    os.kill(os.getpid(), signal.SIGKILL)


def stop_this_process():
    os.kill(os.getpid(), signal.SIGSTOP)


def raise_unexpected_error():
    raise KeyError('a bug')


def test_killed_workers_leave_the_scan_incomplete(seeded):
    result = scan_in_processes(MatcherFailingInWorkers(parse_subjects(SUBJECTS), kill_this_process), lab_session)

    assert result.complete is False
    assert result.ranges_total == 16
    # A range without rows can be done before its worker reads a page; every other range failed.
    assert result.failed_ranges
    assert result.ranges_done + len(result.failed_ranges) == 16
    assert set(failed['error'] for failed in result.failed_ranges) == {'ScanWorkerExited'}


def test_unexpected_error_in_a_worker_fails_its_ranges(seeded, capfd):
    result = scan_in_processes(MatcherFailingInWorkers(parse_subjects(SUBJECTS), raise_unexpected_error), lab_session)

    assert result.complete is False
    assert len(result.failed_ranges) == 16
    assert set(failed['error'] for failed in result.failed_ranges) == {'KeyError'}
    # The workers print nothing: stdout carries the module's result.
    assert capfd.readouterr().out == ''


def test_stopped_workers_are_given_up(seeded):
    started = time.monotonic()

    result = scan_in_processes(MatcherFailingInWorkers(parse_subjects(SUBJECTS), stop_this_process), lab_session,
                               stall_timeout=3)

    assert time.monotonic() - started < 30
    assert result.complete is False
    assert result.failed_ranges
    assert result.ranges_done + len(result.failed_ranges) == 16
    assert set(failed['error'] for failed in result.failed_ranges) == {'ScanWorkerStalled'}


def scan_in_a_thread(matcher, **options):
    """Return the result and the seconds of scan_in_processes run in a thread.

    The result is None when the scan still runs after 60 s, so a hung scan fails its test and the run goes on.
    """
    outcome = []
    scanning = threading.Thread(target=lambda: outcome.append(scan_in_processes(matcher, lab_session, **options)),
                                daemon=True)
    started = time.monotonic()
    scanning.start()
    scanning.join(60)
    return (outcome[0] if outcome else None), time.monotonic() - started


def test_worker_killed_holding_the_range_counter_lock(seeded, monkeypatch):
    """The other worker stops waiting for the lock after WORKER_LOCK_SECONDS, and the scan ends incomplete, not hung."""
    claim_range = _scan._claim_range

    def claim_then_die_holding_the_lock(next_range, count):
        index = claim_range(next_range, count)
        if index == 3:
            next_range.get_lock().acquire()
            kill_this_process()
        return index

    monkeypatch.setattr(_scan, '_claim_range', claim_then_die_holding_the_lock)
    monkeypatch.setattr(_scan, 'WORKER_LOCK_SECONDS', 2.0)

    result, seconds = scan_in_a_thread(Matcher(parse_subjects(SUBJECTS)))

    assert result is not None, 'the scan still waits for the lock of a dead worker'
    assert seconds < 30
    assert result.complete is False
    assert list(_scan.token_ranges(16)[3]) in [failed['range'] for failed in result.failed_ranges]
    assert set(failed['error'] for failed in result.failed_ranges) == {'ScanWorkerExited'}
    assert result.ranges_done + len(result.failed_ranges) == 16


def stop_in_the_middle_of_a_report(*arguments):
    """Stand in for _scan._worker_main: write the first bytes of a long message to the pipe, then stop."""
    sender = arguments[-2]
    # The pipe's framing: a 4-byte big-endian length, then the message. 1 MiB is announced, 100 bytes follow.
    os.write(sender.fileno(), struct.pack('!i', 1 << 20) + b'x' * 100)
    stop_this_process()


def test_worker_stopped_in_the_middle_of_a_report(seeded, monkeypatch):
    """The module gives up on the worker after the stall timeout instead of waiting for the rest of the message."""
    monkeypatch.setattr(_scan, '_worker_main', stop_in_the_middle_of_a_report)

    result, seconds = scan_in_a_thread(Matcher(parse_subjects(SUBJECTS)), stall_timeout=3)

    assert result is not None, 'the scan still waits for the rest of a message'
    assert seconds < 30
    assert result.complete is False
    assert len(result.failed_ranges) == 16
    assert set(failed['error'] for failed in result.failed_ranges) == {'ScanWorkerStalled'}


# A module process whose workers hang at their first page. It prints nothing and never ends by itself.
HANGING_SCAN = textwrap.dedent('''
    import os
    import sys
    import time

    from ansible_collections.gdpr.gws.plugins.module_utils import _scan
    from ansible_collections.gdpr.gws.plugins.module_utils._matching import Matcher
    from ansible_collections.gdpr.gws.plugins.module_utils._profile import load_profile
    from ansible_collections.gdpr.gws.plugins.module_utils._subjects import parse_subjects

    port, keyspace, pid_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    module_pid = os.getpid()
    if sys.argv[4:] == ['--workers-outlive-module']:
        _scan._die_with_parent = lambda parent_pid: None


    class HangingInWorkers(Matcher):
        def candidates(self, texts):
            if os.getpid() != module_pid:
                open(os.path.join(pid_dir, str(os.getpid())), 'w').close()
                time.sleep(600)
            return super().candidates(texts)


    def connect():
        return _scan.connect(['127.0.0.1'], port=port, consistency_level='ONE')


    cluster, session = connect()
    _scan.scan(session, keyspace, load_profile(None), HangingInWorkers(parse_subjects(['jane.doe@example.com'])),
               concurrency=4, split_count=16, processes=2, reconnect=connect)
''')


def is_running(pid):
    """Return True when the process exists and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def workers_left_by_killed_module(tmp_path, *extra):
    """Start a hanging scan with 2 workers, kill its module process, and return the workers still running after 10 s."""
    script = tmp_path / 'hanging_scan.py'
    script.write_text(HANGING_SCAN)
    pid_dir = tmp_path / 'workers'
    pid_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=collection_path())
    module = subprocess.Popen([sys.executable, str(script), str(CQL_PORT), KEYSPACE, str(pid_dir)] + list(extra),
                              env=env)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while len(os.listdir(pid_dir)) < 2 and module.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = [int(name) for name in os.listdir(pid_dir)]
        assert len(workers) == 2, 'the workers did not start; module exit code %s' % module.poll()
        module.kill()
        module.wait()
        deadline = time.monotonic() + 10
        while any(map(is_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        return [pid for pid in workers if is_running(pid)]
    finally:
        module.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_workers_end_with_killed_module(seeded, tmp_path):
    assert workers_left_by_killed_module(tmp_path) == []


def test_workers_outlive_module_without_death_signal(seeded, tmp_path):
    """The check above can fail: without the parent-death signal, hanging workers outlive a killed module."""
    assert len(workers_left_by_killed_module(tmp_path, '--workers-outlive-module')) == 2
