# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gdpr.gws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cassandra connection and the token-range scan of the settings tables.

FOR INTERNAL USE BY THE gdpr.gws COLLECTION ONLY. This file may change without notice.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ctypes
import multiprocessing
import os
import operator
import queue
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

CASSANDRA_DRIVER_IMPORT_ERROR = None
try:
    from cassandra import ConsistencyLevel, DriverException
    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT, NoHostAvailable
    from cassandra.policies import DCAwareRoundRobinPolicy, RoundRobinPolicy, TokenAwarePolicy
    from cassandra.connection import ConnectionException
    from cassandra.protocol import ErrorMessage
    from cassandra.query import tuple_factory
    HAS_CASSANDRA_DRIVER = True
    # What a read can raise when a node is down, restarts or times out. NoHostAvailable,
    # ConnectionException and server ErrorMessage are not DriverException subclasses.
    READ_ERRORS = (DriverException, NoHostAvailable, ConnectionException, ErrorMessage)
except ImportError:
    CASSANDRA_DRIVER_IMPORT_ERROR = traceback.format_exc()
    HAS_CASSANDRA_DRIVER = False
    READ_ERRORS = ()

from ansible_collections.gdpr.gws.plugins.module_utils._profile import SCOPE_CONTACT_CENTER, SCOPE_USER

# Murmur3Partitioner tokens are signed 64-bit integers.
MIN_TOKEN = -(2 ** 63)
MAX_TOKEN = 2 ** 63 - 1

CONSISTENCY_LEVELS = ('ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'LOCAL_ONE')

# Levels a read accepts; ANY, EACH_QUORUM and the serial levels are write-only or for LWT.
READ_CONSISTENCY_LEVELS = ('ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'LOCAL_ONE')

# The last two columns of every row that TableReader.pages() yields.
VALUE = operator.itemgetter(-1)
KEY = operator.itemgetter(-2)

# How often the scan checks that its worker processes are still alive, in seconds.
WORKER_POLL_SECONDS = 1.0
# prctl(2) option: the signal that the kernel sends to this process when its parent ends (Linux).
PR_SET_PDEATHSIG = 1
# Seconds a worker waits for the shared range counter, which is held for microseconds.
WORKER_LOCK_SECONDS = 30.0

# Failed token ranges are retried after RETRY_DELAY seconds times the attempt.
RETRY_DELAY = 0.5


class ScanError(Exception):
    """Scan or connection failure; the message names host, keyspace or table, never a value."""


def connect(hosts, port=9042, username=None, password=None, consistency_level='LOCAL_QUORUM',
            local_dc=None, connect_timeout=10, request_timeout=30, ssl_context=None):
    """Open a Cassandra session for reading; the caller must call cluster.shutdown()."""
    if consistency_level not in READ_CONSISTENCY_LEVELS:
        raise ScanError('consistency_level %s cannot be used for reads; use one of: %s'
                        % (consistency_level, ', '.join(READ_CONSISTENCY_LEVELS)))
    if local_dc:
        policy = TokenAwarePolicy(DCAwareRoundRobinPolicy(local_dc=local_dc))
    else:
        policy = RoundRobinPolicy()
    profile = ExecutionProfile(
        load_balancing_policy=policy,
        consistency_level=getattr(ConsistencyLevel, consistency_level),
        request_timeout=request_timeout,
        row_factory=tuple_factory,
    )
    auth_provider = PlainTextAuthProvider(username=username, password=password) if username else None
    cluster = Cluster(
        contact_points=list(hosts),
        port=port,
        auth_provider=auth_provider,
        ssl_context=ssl_context,
        connect_timeout=connect_timeout,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    where = '%s (port %d)' % (', '.join(hosts), port)
    try:
        session = cluster.connect()
    except NoHostAvailable as error:
        cluster.shutdown()
        raise ScanError('cannot connect to Cassandra at %s: %s. Check the host, the port, the credentials '
                        'and TLS settings' % (where, _describe_no_host(error)))
    except DriverException as error:
        cluster.shutdown()
        raise ScanError('cannot connect to Cassandra at %s: %s' % (where, type(error).__name__))
    return cluster, session


def _describe_no_host(error):
    """Summarise a NoHostAvailable error by host and error class, without messages that may echo input."""
    reasons = []
    for host, cause in sorted((getattr(error, 'errors', None) or {}).items(), key=lambda item: str(item[0])):
        name = type(cause).__name__
        text = str(cause)
        if 'requires authentication' in text:
            name = 'the cluster requires authentication; set cassandra_username and cassandra_password'
        elif 'AuthenticationFailed' in name or 'Bad credentials' in text or 'Authentication' in text:
            name = 'authentication failed; check cassandra_username and cassandra_password'
        elif 'ssl' in text.lower() or 'certificate' in text.lower():
            # The driver prefixes the address list; the reason from the TLS library is what helps.
            name = 'TLS error (%s)' % text.splitlines()[0].split('Last error: ')[-1][:200]
        elif 'refused' in text.lower():
            name = 'connection refused'
        elif 'reset by peer' in text.lower():
            name = 'connection reset by the node; if the cluster requires client TLS, set cassandra_ssl'
        elif 'timed out' in text.lower() or 'timeout' in name.lower():
            name = 'timed out'
        reasons.append('%s: %s' % (host, name))
    return '; '.join(reasons) or 'no host answered'


def token_ranges(count, token_slice=None):
    """Split the Murmur3 ring into `count` contiguous ranges (start exclusive, end inclusive).

    The first range of the ring starts at MIN_TOKEN inclusive; it is marked by start None.
    With token_slice (index, total), only that slice's share of the ranges is returned.
    """
    span = MAX_TOKEN - MIN_TOKEN
    bounds = [MIN_TOKEN + (span * i) // count for i in range(count)] + [MAX_TOKEN]
    ranges = []
    for i in range(count):
        start = None if i == 0 else bounds[i]
        ranges.append((start, bounds[i + 1]))
    if token_slice:
        index, total = token_slice
        ranges = [r for position, r in enumerate(ranges) if position % total == index - 1]
    return ranges


class ScanResult(object):
    """Outcome of a scan: matching rows, counters and whether every token range was read."""

    def __init__(self):
        self.matches = []
        self.rows_scanned = 0
        self.ranges_total = 0
        self.ranges_done = 0
        # Rows read so far, retried ranges counted again; for progress reports only.
        self.rows_read = 0
        self.failed_ranges = []
        self.tables = []
        self.duration = 0.0

    @property
    def complete(self):
        return not self.failed_ranges and self.ranges_done == self.ranges_total


class TableReader(object):
    """Read one profile table of a keyspace, range by range, and keep rows the matcher hits."""

    def __init__(self, session, keyspace, table, fetch_size):
        self.keyspace = keyspace
        self.table = table
        metadata = self._table_metadata(session, keyspace, table['name'])
        self._check_columns(metadata)
        partition_key = ', '.join('"%s"' % column.name for column in metadata.partition_key)
        scope_column = table.get('scope_column')
        columns = ['"%s"' % table[name] for name in ('owner_column', 'group_column')]
        # Key and value are read as UTF-8 bytes, which the pre-filter reads directly: the driver
        # then skips decoding them, and only the rows that match are decoded.
        columns += [_as_blob(table[name], metadata.columns[table[name]].cql_type)
                    for name in ('key_column', 'value_column')]
        if scope_column:
            columns.insert(0, '"%s"' % scope_column)
        select = 'SELECT %s FROM "%s"."%s"' % (', '.join(columns), keyspace, table['name'])
        self.first_range = session.prepare(
            '%s WHERE token(%s) >= ? AND token(%s) <= ?' % (select, partition_key, partition_key))
        self.next_range = session.prepare(
            '%s WHERE token(%s) > ? AND token(%s) <= ?' % (select, partition_key, partition_key))
        for statement in (self.first_range, self.next_range):
            statement.fetch_size = fetch_size
        self.session = session

    @staticmethod
    def _table_metadata(session, keyspace, name):
        keyspaces = session.cluster.metadata.keyspaces
        if keyspace not in keyspaces:
            raise ScanError("keyspace '%s' not found in the Cluster; check cassandra_keyspace" % keyspace)
        tables = keyspaces[keyspace].tables
        if name not in tables:
            raise ScanError("table '%s.%s' not found; check the settings profile and cassandra_keyspace"
                            % (keyspace, name))
        return tables[name]

    def _check_columns(self, metadata):
        expected = [self.table[c] for c in ('scope_column', 'owner_column', 'group_column', 'key_column',
                                            'value_column') if self.table.get(c)]
        missing = [c for c in expected if c not in metadata.columns]
        if missing:
            raise ScanError("table '%s.%s' has no column %s; check the settings profile"
                            % (self.keyspace, self.table['name'], ', '.join(missing)))

    def pages(self, token_range):
        """Yield the rows of one token range page by page, as lists of tuples.

        Each row ends with group, key and value; unpack() returns all five fields.
        """
        return read_range_pages(self.session, self.first_range, self.next_range, token_range)

    def unpack(self, row):
        """Return (scope, owner_id, group, key, value) of a row from pages()."""
        if self.table.get('scope'):
            return (self.table['scope'],) + tuple(row)
        return tuple(row)

    def read_range(self, token_range):
        """Yield the rows of one token range as (scope, owner_id, group, key, value), page by page."""
        for page in self.pages(token_range):
            for row in page:
                yield self.unpack(row)


def read_range_pages(session, first_range, next_range, token_range):
    """Yield the rows of one token range page by page, each page a list of rows.

    first_range and next_range are the prepared statements for the first token range of the ring
    and for the others, with the two token bounds as parameters. Each page is a request of its own,
    with the paging state of the last one, so that request_timeout bounds every page.
    ResultSet.fetch_next_page() of cassandra-driver 3.30 waits without a timeout for a node that
    stops responding in the middle of a range. A page is emptied when the caller requests the next one.
    """
    start, end = token_range
    statement, bounds = (first_range, (MIN_TOKEN, end)) if start is None else (next_range, (start, end))
    rows = session.execute(statement, bounds)
    while True:
        page = rows.current_rows
        yield page
        if not rows.has_more_pages:
            return
        paging_state = rows.paging_state
        # The driver's timer of each request keeps its rows until the timeout would have
        # expired, which would hold every page read in the last request_timeout seconds. The
        # caller is done with the page, so its rows are dropped here.
        if isinstance(page, list):
            page.clear()
        rows = session.execute(statement, bounds, paging_state=paging_state)


def _as_blob(column, cql_type):
    """Return the select expression that reads a text column as its bytes, and any other column as it is."""
    if cql_type in ('text', 'varchar'):
        return 'textAsBlob("%s")' % column
    if cql_type == 'ascii':
        return 'asciiAsBlob("%s")' % column
    return '"%s"' % column


def decode_blob(value):
    """Decode a blob as UTF-8 and return (text, valid).

    Invalid bytes become U+FFFD, so that the rest of the blob can still be searched, and valid is
    then False.
    """
    data = bytes(value)
    try:
        return data.decode('utf-8'), True
    except UnicodeDecodeError:
        return data.decode('utf-8', 'replace'), False


def _row_value_text(value, errors='strict'):
    """Return a column value as text, with blobs decoded as UTF-8 by decode_blob().

    With errors='strict', a blob that is not valid UTF-8 gives ''. With errors='replace', its
    invalid bytes become U+FFFD, so the rest of it can still be searched.
    """
    if value is None:
        return ''
    if isinstance(value, (bytes, bytearray)):
        text, valid = decode_blob(value)
        return text if valid or errors == 'replace' else ''
    return value if isinstance(value, str) else str(value)


class _RangeScanner(object):
    """Read token ranges of the settings tables and keep the rows that match, with retries.

    The outcome of each range goes to report(kind, *details): ('rows', count) after each page,
    ('done', rows, matches) when a range was read, ('failed', failure) when it still failed
    after its retries. scan() turns these into a ScanResult, in this process or in worker processes.
    """

    def __init__(self, readers, matcher, groups, retries, keep_values, report):
        self.readers = readers
        self.matcher = matcher
        self.selected_groups = set(groups) if groups else None
        self.retries = retries
        self.keep_values = keep_values
        self.report = report

    def match_of(self, reader, scope, owner_id, group, key, value):
        # A blob value with one invalid byte is still searched, as find() and the pre-filter read it.
        text = _row_value_text(value, errors='replace')
        key_text = _row_value_text(key)
        hits = [(hit.subject_id, hit.location) for hit in self.matcher.find(text)]
        hits.extend((hit.subject_id, '<setting key>') for hit in self.matcher.find(key_text))
        if not hits:
            return None
        match = {
            'table': reader.table['name'],
            'scope': scope if scope in (SCOPE_USER, SCOPE_CONTACT_CENTER) else str(scope),
            'owner_id': _row_value_text(owner_id),
            'group': group,
            'key': key_text,
            'hits': hits,
        }
        if self.keep_values:
            match['value'] = text
        return match

    def read_range(self, reader, token_range):
        """Return (rows read, matches) of one token range; driver errors propagate."""
        rows_seen = 0
        found = []
        candidates = self.matcher.candidates
        for page in reader.pages(token_range):
            rows_seen += len(page)
            self.report('rows', len(page))
            if self.selected_groups is not None:
                page = [row for row in page if row[-3] in self.selected_groups]
            # Most rows hold no subject: the pre-filter reads the values and keys of the whole
            # page, and find() parses only the rows it cannot rule out.
            count = len(page)
            texts = list(map(VALUE, page))
            texts.extend(map(KEY, page))
            for index in sorted(set(position % count for position in candidates(texts))):
                match = self.match_of(reader, *reader.unpack(page[index]))
                if match:
                    found.append(match)
        return rows_seen, found

    def scan_range(self, table_index, token_range):
        reader = self.readers[table_index]
        for attempt in range(self.retries + 1):
            try:
                rows_seen, found = self.read_range(reader, token_range)
            except READ_ERRORS as error:
                if attempt < self.retries:
                    time.sleep(RETRY_DELAY * (attempt + 1))
                    continue
                self.report('failed', _failure(reader.keyspace, reader.table['name'], token_range,
                                               type(error).__name__))
                return
            self.report('done', rows_seen, found)
            return


def _failure(keyspace, table_name, token_range, error_name):
    return {
        'table': '%s.%s' % (keyspace, table_name),
        'range': [token_range[0] if token_range[0] is not None else MIN_TOKEN, token_range[1]],
        'error': error_name,
    }


def _apply(result, kind, details):
    """Add one report of a _RangeScanner to the ScanResult."""
    if kind == 'rows':
        result.rows_read += details[0]
    elif kind == 'done':
        result.rows_scanned += details[0]
        result.ranges_done += 1
        result.matches.extend(details[1])
    else:
        result.failed_ranges.append(details[0])


def scan(session, keyspace, profile, matcher, groups=None, concurrency=4, fetch_size=1000,
         split_count=64, retries=2, token_slice=None, progress=None, keep_values=True, processes=1,
         reconnect=None, stall_timeout=None):
    """Read every settings table of the profile and return a ScanResult of the rows that match.

    Token ranges are read by `concurrency` threads, page by page, and only matching rows are
    kept, so memory does not grow with the table (beyond the matches). A token range that still fails after
    `retries` more attempts is recorded in failed_ranges, and the result is then incomplete:
    callers must not delete anything on the basis of an incomplete scan. progress, when
    given, is called with the ScanResult after each page and each token range; it runs
    under the result's lock and must be quick. Without keep_values the
    matches carry no 'value'.

    With processes > 1 and reconnect, a function that returns a new (cluster, session), the
    ranges are read by that many worker processes, each with its own connection and its
    share of the threads, so that matching uses more than one core (see _scan_in_processes).
    When no worker has reported anything for stall_timeout seconds, the workers are killed and
    the ranges they did not report fail.
    """
    result = ScanResult()
    started = time.monotonic()
    # The tables are checked and the statements prepared here, so that a schema error fails
    # the scan before any worker starts.
    readers = [TableReader(session, keyspace, table, fetch_size) for table in profile['tables']]
    result.tables = ['%s.%s' % (keyspace, reader.table['name']) for reader in readers]
    work = [(table_index, token_range) for table_index in range(len(readers))
            for token_range in token_ranges(split_count, token_slice)]
    result.ranges_total = len(work)

    if processes > 1 and reconnect is not None and can_fork():
        _scan_in_processes(result, work, keyspace, profile, matcher, groups, concurrency, fetch_size, retries,
                           keep_values, progress, processes, reconnect, stall_timeout)
    else:
        lock = threading.Lock()

        def report(kind, *details):
            with lock:
                _apply(result, kind, details)
                if progress:
                    progress(result)

        scanner = _RangeScanner(readers, matcher, groups, retries, keep_values, report)
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            list(pool.map(lambda item: scanner.scan_range(*item), work))

    result.matches.sort(key=lambda m: (m['table'], m['scope'], m['owner_id'], m['group'], m['key']))
    result.duration = time.monotonic() - started
    return result


def can_fork():
    """Return True when worker processes can be started with fork (Linux; not macOS, where fork is unsafe)."""
    return sys.platform.startswith('linux') and 'fork' in multiprocessing.get_all_start_methods()


def _scan_in_processes(result, work, keyspace, profile, matcher, groups, concurrency, fetch_size, retries,
                       keep_values, progress, processes, reconnect, stall_timeout=None):
    """Read the work (table index, token range) in forked worker processes and add their reports to result.

    Each worker opens its own connection with reconnect(), because a driver session cannot be used
    across fork, and reads the ranges it takes from a shared counter with ceil(concurrency / processes)
    threads. The workers inherit the matcher, so no subject crosses a process boundary except in the
    matches they send back. A range that no worker reports, because a worker could not connect or
    died, is recorded as failed, so the scan is then incomplete.

    Each worker sends its reports through a pipe of its own. With one queue for all, a worker killed
    while it wrote to the queue would hold the queue's lock, and the others could never report or end.
    """
    context = multiprocessing.get_context('fork')
    threads = max(1, -(-concurrency // processes))
    # The index of the next range to read, shared by the workers.
    next_range = context.Value('q', 0)
    workers = {}
    for _unused in range(processes):
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_worker_main,
                                 args=(reconnect, keyspace, profile, fetch_size, work, matcher, groups, retries,
                                       keep_values, threads, next_range, sender, os.getpid()))
        worker.daemon = True
        worker.start()
        # Only the worker has the sending end open now, and the workers started later do not inherit it, so
        # the pipe reads as closed as soon as this worker ends, however it ends.
        sender.close()
        workers[receiver] = worker

    # A thread per pipe reads whole messages into one inbox. recv() blocks until a message is complete,
    # so a worker stopped in the middle of one would block the module if it read the pipes itself, and
    # it could never give up on the worker.
    inbox = queue.Queue()
    readers = [threading.Thread(target=_read_reports, args=(receiver, inbox), daemon=True) for receiver in workers]
    for reader in readers:
        reader.start()

    reported = set()
    connect_errors = []
    stalled = False
    last_message = time.monotonic()
    running = len(workers)
    while running:
        try:
            message = inbox.get(timeout=WORKER_POLL_SECONDS)
        except queue.Empty:
            # A stopped or deadlocked worker sends nothing, and would keep the module waiting.
            if stall_timeout and time.monotonic() - last_message > stall_timeout:
                stalled = True
                break
            continue
        last_message = time.monotonic()
        kind, details = message[0], message[1:]
        if kind == 'exit':
            running -= 1
            continue
        if kind == 'connect_error':
            connect_errors.append(details[0])
            continue
        if kind in ('done', 'failed'):
            reported.add(details[-1])
            details = details[:-1]
        _apply(result, kind, details)
        if progress:
            progress(result)
    for worker in workers.values():
        worker.join(0 if stalled else WORKER_POLL_SECONDS)
        if worker.is_alive():
            # SIGKILL, because a stopped process does not act on SIGTERM.
            worker.kill()
            worker.join()
    # With every worker gone, each pipe reads as closed, so the readers end.
    for reader in readers:
        reader.join(WORKER_POLL_SECONDS)
    for receiver in workers:
        receiver.close()

    if stalled:
        error_name = 'ScanWorkerStalled'
    elif connect_errors:
        error_name = connect_errors[0]
    else:
        error_name = 'ScanWorkerExited'
    for index, (table_index, token_range) in enumerate(work):
        if index not in reported:
            result.failed_ranges.append(_failure(keyspace, profile['tables'][table_index]['name'], token_range,
                                                 error_name))
    if progress:
        progress(result)


def _read_reports(receiver, inbox):
    """Put each message from one worker's pipe into inbox, then ('exit',) when the worker has ended."""
    while True:
        try:
            message = receiver.recv()
        except (EOFError, OSError):
            # The worker ended without its last message, for example killed in the middle of one.
            message = ('exit',)
        inbox.put(message)
        if message[0] == 'exit':
            return


def _die_with_parent(parent_pid):
    """Make the kernel kill this worker when the module process ends, so that no worker outlives a killed module."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    # The module may have ended before prctl took effect.
    if os.getppid() != parent_pid:
        os._exit(1)


def _claim_range(next_range, count):
    """Return the index of the next range to read from the shared counter, or None when there is none left.

    A worker killed while it held the counter's lock would block the others forever. When the
    lock cannot be had within WORKER_LOCK_SECONDS, this returns None too, so the worker stops
    and the scan fails the ranges that no worker reported.
    """
    lock = next_range.get_lock()
    if not lock.acquire(timeout=WORKER_LOCK_SECONDS):
        return None
    try:
        index = next_range.value
        next_range.value += 1
    finally:
        lock.release()
    return index if index < count else None


def _worker_main(reconnect, keyspace, profile, fetch_size, work, matcher, groups, retries, keep_values, threads,
                 next_range, sender, parent_pid):
    """Run in a worker process: connect, read the ranges it takes from next_range, send reports to sender.

    A worker writes nothing to stdout, which carries the module's result, and puts no
    exception text anywhere: an unexpected error fails the range it was reading, by name.
    """
    _die_with_parent(parent_pid)
    cluster = None
    try:
        try:
            cluster, session = reconnect()
            readers = [TableReader(session, keyspace, table, fetch_size) for table in profile['tables']]
        except (ScanError, ) + READ_ERRORS as error:
            # The other workers read the ranges; if none can connect, the scan fails them all.
            sender.send(('connect_error', type(error).__name__))
            return
        current = threading.local()
        sending = threading.Lock()

        def report(kind, *details):
            if kind in ('done', 'failed'):
                details += (current.index,)
            with sending:
                sender.send((kind,) + details)

        scanner = _RangeScanner(readers, matcher, groups, retries, keep_values, report)

        def take_ranges():
            while True:
                index = _claim_range(next_range, len(work))
                if index is None:
                    return
                current.index = index
                table_index, token_range = work[index]
                try:
                    scanner.scan_range(table_index, token_range)
                except Exception as error:  # pylint: disable=broad-except
                    report('failed', _failure(keyspace, profile['tables'][table_index]['name'], token_range,
                                              type(error).__name__))

        pool = [threading.Thread(target=take_ranges) for _unused in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    finally:
        if cluster is not None:
            cluster.shutdown()
        try:
            sender.send(('exit',))
        except OSError:
            # The module has gone, or given up on this worker; its pipe is closed either way.
            pass


class RowLookup(object):
    """Read single settings rows by primary key, to verify that an erased setting is gone from Cassandra."""

    def __init__(self, session, keyspace, profile, matcher):
        self.session = session
        self.matcher = matcher
        self.statements = {}
        for table in profile['tables']:
            metadata = TableReader._table_metadata(session, keyspace, table['name'])
            roles = {}
            if table.get('scope_column'):
                roles[table['scope_column']] = 'scope'
            for role in ('owner', 'group', 'key'):
                roles[table[role + '_column']] = role
            primary_key = [column.name for column in metadata.primary_key]
            # Without every primary key column among the mapped columns, a row cannot be addressed.
            if not set(primary_key) <= set(roles):
                continue
            where = ' AND '.join('"%s" = ?' % column for column in primary_key)
            statement = session.prepare('SELECT "%s" FROM "%s"."%s" WHERE %s'
                                        % (table['value_column'], keyspace, table['name'], where))
            self.statements[table['name']] = (statement, [roles[column] for column in primary_key])

    @property
    def usable(self):
        return bool(self.statements)

    def __call__(self, match):
        """Return True when the row still exists and still contains one of the subjects."""
        if match['table'] not in self.statements:
            return False
        statement, order = self.statements[match['table']]
        values = {'scope': match['scope'], 'owner': match['owner_id'], 'group': match['group'], 'key': match['key']}
        row = self.session.execute(statement, [values[role] for role in order]).one()
        if row is None:
            return False
        return bool(self.matcher.find(_row_value_text(row[0], errors='replace')))
