# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the settings scan against the read limit of Cassandra and the driver on this machine.

Usage (make bench runs it against the lab, which it starts and stops):
  python benchmarks/scan_bench.py --rows 100000,1000000 [--cassandra-port 9042] [--subjects 1000]
      [--output benchmarks/results.json] [--work-dir .bench] [--sweep]

For each size it writes a generated data set (benchmarks/dataset.py) to the keyspace gdpr_bench,
flushes it to disk, and measures on that data, in one run and with the same driver:
  read limit   a plain token-range read of the whole table with no matching, in the
               thread and process configurations listed in READ_LIMIT_CONFIGS; the best counts;
  sequential   one single-threaded paged read of the whole table per subject, with a substring
               search of the value, as gdpr_forget_me.py did (measured for one subject);
  module       gdpr.gws.personal_data_info run as a module process with 1 subject and with all
               subjects of the pool (1,000 by default), with default_region US, once with its default
               scan options and once with scan_processes 2 and fetch_size 2000 (MODULE_CONFIGS).
Each measurement runs in its own process, so its peak RSS (ru_maxrss) is its own. Rows per
second count the rows read while the table is scanned, from the first query to the last row.
The figures are printed as a table and written as JSON; none of them contains a subject.
"""

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import dataset  # noqa: E402 (benchmarks/ is put on sys.path just above)

LOG = logging.getLogger('bench')
MIN_TOKEN = -(2 ** 63)
MAX_TOKEN = 2 ** 63 - 1
COLUMNS = 'scope, owner_id, group_name, setting_key, value'

# (processes, threads per process, fetch_size, token ranges) of the read-limit runs.
READ_LIMIT_CONFIGS = [
    (1, 1, 5000, 64),
    (1, 2, 5000, 4),
    (1, 2, 5000, 64),
    (1, 4, 1000, 64),
    (1, 4, 5000, 16),
    (1, 4, 5000, 64),
    (1, 8, 5000, 256),
    (2, 2, 5000, 64),
]
# Module runs of every size: the default scan options, and worker processes like the best read limit's.
MODULE_CONFIGS = [
    ('default options', {}),
    ('2 processes, fetch_size 2000', {'scan_processes': 2, 'fetch_size': 2000}),
]
# Module options of the --sweep runs with all subjects, besides the defaults.
MODULE_SWEEP = [
    {'scan_concurrency': 2},
    {'scan_concurrency': 8},
    {'fetch_size': 5000},
]


def token_ranges(count):
    span = MAX_TOKEN - MIN_TOKEN
    bounds = [MIN_TOKEN + (span * i) // count for i in range(count)] + [MAX_TOKEN]
    return [(bounds[i], bounds[i + 1], i == 0) for i in range(count)]


def connect(port, threads=4):
    from cassandra.cluster import Cluster, ExecutionProfile, EXEC_PROFILE_DEFAULT
    from cassandra.policies import RoundRobinPolicy
    from cassandra.query import tuple_factory

    profile = ExecutionProfile(load_balancing_policy=RoundRobinPolicy(), row_factory=tuple_factory,
                               request_timeout=120)
    cluster = Cluster(['127.0.0.1'], port=port, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                      executor_threads=max(2, threads))
    return cluster, cluster.connect()


# Workers: each runs in its own process and prints one JSON line ------------------------------------

def read_ranges(session, keyspace, ranges, threads, fetch_size):
    """Read the given token ranges with `threads` threads and return the number of rows."""
    first = session.prepare('SELECT %s FROM %s.settings WHERE token(scope, owner_id) >= ? AND '
                            'token(scope, owner_id) <= ?' % (COLUMNS, keyspace))
    following = session.prepare('SELECT %s FROM %s.settings WHERE token(scope, owner_id) > ? AND '
                                'token(scope, owner_id) <= ?' % (COLUMNS, keyspace))
    for statement in (first, following):
        statement.fetch_size = fetch_size
    counts = []
    lock = threading.Lock()

    def read(token_range):
        start, end, is_first = token_range
        rows = 0
        for _unused in session.execute(first if is_first else following, (start, end)):
            rows += 1
        with lock:
            counts.append(rows)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(read, ranges))
    return sum(counts)


def worker_read_limit(config):
    processes, threads = config['processes'], config['threads']
    ranges = token_ranges(config['ranges'])
    if processes == 1:
        cluster, session = connect(config['port'], threads)
        started = time.monotonic()
        rows = read_ranges(session, config['keyspace'], ranges, threads, config['fetch_size'])
        seconds = time.monotonic() - started
        cluster.shutdown()
        return {'rows': rows, 'seconds': seconds}

    import multiprocessing  # pylint: disable=import-outside-toplevel

    context = multiprocessing.get_context('fork')
    barrier = context.Barrier(processes + 1)
    results = context.Queue()

    def child(index):
        cluster, session = connect(config['port'], threads)
        barrier.wait()
        results.put(read_ranges(session, config['keyspace'], ranges[index::processes], threads, config['fetch_size']))
        cluster.shutdown()

    children = [context.Process(target=child, args=(index,)) for index in range(processes)]
    for process in children:
        process.start()
    barrier.wait()
    started = time.monotonic()
    rows = sum(results.get() for _unused in children)
    seconds = time.monotonic() - started
    for process in children:
        process.join()
    return {'rows': rows, 'seconds': seconds}


def worker_startup(config):
    """Connect and prepare the statements without reading: the fixed cost that other runs subtract."""
    cluster, session = connect(config['port'], 4)
    session.prepare('SELECT %s FROM %s.settings WHERE token(scope, owner_id) > ? AND token(scope, owner_id) <= ?'
                    % (COLUMNS, config['keyspace']))
    cluster.shutdown()
    return {'rows': 0, 'seconds': 0.0}


def worker_sequential(config):
    """Read the whole table once per subject, single-threaded and paged, searching each value as a substring."""
    cluster, session = connect(config['port'], 1)
    statement = session.prepare('SELECT %s FROM %s.settings' % (COLUMNS, config['keyspace']))
    statement.fetch_size = config['fetch_size']
    rows = 0
    found = 0
    started = time.monotonic()
    for subject in config['subjects']:
        for row in session.execute(statement):
            rows += 1
            if subject in (row[4] or '') or subject in (row[3] or ''):
                found += 1
    seconds = time.monotonic() - started
    cluster.shutdown()
    return {'rows': rows, 'seconds': seconds, 'found': found}


# Runs -------------------------------------------------------------------------------------------------

def cassandra_pid():
    """Return the pid of the lab's Cassandra, or None when its pid file cannot be read."""
    lab_dir = Path(os.environ.get('GDPR_LAB_DIR') or REPO / '.lab')
    try:
        return int((lab_dir / 'cassandra' / 'cassandra.pid').read_text().strip())
    except (OSError, ValueError):
        return None


def process_cpu_seconds(pid):
    """Return the user and system CPU seconds of a process from /proc, or None."""
    try:
        fields = Path('/proc/%d/stat' % pid).read_text().rsplit(')', 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def run_measured(command, env=None):
    """Run a command; return (stdout text, peak RSS in MiB, wall seconds, its CPU seconds, Cassandra's CPU seconds).

    Raise on a non-zero exit. Cassandra's CPU seconds are those it used while the command ran,
    or None when the lab's Cassandra process cannot be read.
    """
    server = cassandra_pid()
    server_before = process_cpu_seconds(server)
    with tempfile.TemporaryFile(mode='w+') as output:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.PIPE, env=env, text=True)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        server_after = process_cpu_seconds(server)
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read()
        process.stderr.close()
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise RuntimeError('%s failed with exit code %d: %s' % (command[1], process.returncode, stderr[-2000:]))
    server_cpu = None
    if server_before is not None and server_after is not None:
        server_cpu = server_after - server_before
    return text, usage.ru_maxrss / 1024.0, wall, usage.ru_utime + usage.ru_stime, server_cpu


# CPU seconds of a process that starts, connects and ends without reading, per kind of process
# ('worker', 'module'); measured once and subtracted from the CPU of every run of that kind.
FIXED_CPU = {}


def add_cpu(result, client_cpu, server_cpu, kind):
    """Add the client's and Cassandra's CPU microseconds per row to a run's result, less the fixed cost."""
    rows = max(result['rows'], 1)
    fixed_client, fixed_server = FIXED_CPU.get(kind, (0.0, 0.0))
    result['client_cpu_us_per_row'] = round(max(client_cpu - fixed_client, 0.0) / rows * 1e6, 2)
    result['cassandra_cpu_us_per_row'] = None
    if server_cpu is not None:
        result['cassandra_cpu_us_per_row'] = round(max(server_cpu - fixed_server, 0.0) / rows * 1e6, 2)
    return result


def measure_fixed_cpu(args, work_dir):
    """Measure FIXED_CPU: a worker that only connects, and the module on an empty table (median of 3)."""
    from cassandra.cluster import Cluster

    cluster = Cluster(['127.0.0.1'], port=args.cassandra_port)
    session = cluster.connect()
    try:
        dataset.create_keyspace(session, args.keyspace + '_empty', REPO / 'tests' / 'lab' / 'schema.cql')
    finally:
        cluster.shutdown()
    config = json.dumps({'port': args.cassandra_port, 'keyspace': args.keyspace + '_empty'})
    samples = {'worker': [], 'module': []}
    for _unused in range(3):
        command = [sys.executable, __file__, '--worker', 'startup', '--config', config]
        _text, _rss, _seconds, client_cpu, server_cpu = run_measured(command)
        samples['worker'].append((client_cpu, server_cpu or 0.0))
        empty = run_module(args, work_dir, ['fixed-cost@example.com'], {}, keyspace=args.keyspace + '_empty',
                           raw=True)
        samples['module'].append((empty['client_cpu'], empty['server_cpu'] or 0.0))
    for kind, values in samples.items():
        values.sort()
        FIXED_CPU[kind] = values[len(values) // 2]
    LOG.info('fixed CPU seconds (client, Cassandra): worker %.2f, %.2f; module %.2f, %.2f',
             *(FIXED_CPU['worker'] + FIXED_CPU['module']))


def run_worker(kind, config):
    text, rss, _seconds, client_cpu, server_cpu = run_measured(
        [sys.executable, __file__, '--worker', kind, '--config', json.dumps(config)])
    result = json.loads(text.strip().splitlines()[-1])
    result['rss_mib'] = rss
    return add_cpu(result, client_cpu, server_cpu, 'worker')


def collection_path(work_dir):
    """Return an ANSIBLE_COLLECTIONS_PATH-style directory in which this checkout is gdpr.gws."""
    link = Path(work_dir) / 'collections' / 'ansible_collections' / 'gdpr' / 'gws'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO)
    return str(Path(work_dir) / 'collections')


def run_module(args, work_dir, subjects, options, keyspace=None, raw=False):
    """Run personal_data_info as a module process and return its figures (with raw, only its CPU seconds)."""
    # The data set writes US numbers as the US does, (202) 555-0143, which the matcher reads only
    # in default_region US; numbers of other regions in national form carry their trunk prefix.
    module_args = dict(subjects=subjects, cassandra_hosts=['127.0.0.1'], cassandra_port=args.cassandra_port,
                       cassandra_keyspace=keyspace or args.keyspace, consistency_level='ONE', hash_salt='benchmark',
                       default_region='US', **options)
    args_file = Path(work_dir) / 'module-args.json'
    args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}))
    args_file.chmod(0o600)
    env = dict(os.environ, PYTHONPATH=collection_path(work_dir))
    try:
        text, rss, wall, client_cpu, server_cpu = run_measured(
            [sys.executable, str(REPO / 'plugins' / 'modules' / 'personal_data_info.py'), str(args_file)], env=env)
    finally:
        args_file.unlink()
    result = json.loads(text)
    if result.get('failed'):
        raise RuntimeError('the module failed: %s' % result.get('msg'))
    if raw:
        return {'client_cpu': client_cpu, 'server_cpu': server_cpu}
    scan = result['scan']
    figures = {'rows': result['counts']['rows_scanned'], 'seconds': scan['duration_seconds'], 'process_seconds': wall,
               'rss_mib': rss, 'found': result['counts']['matches'], 'complete': scan['complete'], 'options': options}
    return add_cpu(figures, client_cpu, server_cpu, 'module')


def flush(keyspace):
    """Flush the keyspace's memtables, so that the scans read SSTables as on a real cluster."""
    command = ['bash', str(REPO / 'tests' / 'lab' / 'lab.sh'), 'nodetool', 'flush', keyspace]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if completed.returncode != 0:
        LOG.warning('nodetool flush failed (%s); the scans may read memtables', completed.stderr.strip()[-300:])


def rate(result):
    return result['rows'] / result['seconds'] if result['seconds'] else 0.0


def bench_size(args, rows, work_dir):
    from cassandra.cluster import Cluster

    cluster = Cluster(['127.0.0.1'], port=args.cassandra_port)
    session = cluster.connect()
    try:
        rng = dataset.random.Random(args.random_seed)
        subjects = dataset.make_subjects(rng, args.subjects)
        dataset.create_keyspace(session, args.keyspace, REPO / 'tests' / 'lab' / 'schema.cql')
        manifest = dataset.load(session, args.keyspace, rows, subjects, random_seed=args.random_seed,
                                subject_share=args.subject_share, work_dir=work_dir)
    finally:
        cluster.shutdown()
    flush(args.keyspace)
    counts = json.loads((Path(work_dir) / 'subjects.json').read_text())['rows_with_subject']
    values = [subject['value'] for subject in subjects]
    base = {'port': args.cassandra_port, 'keyspace': args.keyspace}

    LOG.info('%d rows: warming up', rows)
    run_worker('read-limit', dict(base, processes=1, threads=4, fetch_size=5000, ranges=64))

    read_limits = []
    for processes, threads, fetch_size, ranges in READ_LIMIT_CONFIGS:
        result = run_worker('read-limit', dict(base, processes=processes, threads=threads, fetch_size=fetch_size,
                                               ranges=ranges))
        result.update(processes=processes, threads=threads, fetch_size=fetch_size, ranges=ranges)
        LOG.info('%d rows: read limit, %d processes x %d threads, fetch_size %d, %d ranges: %.0f rows/s',
                 rows, processes, threads, fetch_size, ranges, rate(result))
        read_limits.append(result)
    best = max(read_limits, key=rate)

    sequential = run_worker('sequential', dict(base, subjects=values[:1], fetch_size=1000))
    LOG.info('%d rows: sequential baseline, 1 subject: %.0f rows/s', rows, rate(sequential))

    # The pool lists the e-mail addresses first. One phone subject is measured too, because a phone
    # subject makes the pre-filter read the digits of every value, which an e-mail subject does not.
    module_runs = {}
    for label, options in MODULE_CONFIGS:
        for name, subjects in (('module_1', values[:1]), ('module_1_phone', values[-1:]), ('module_many', values)):
            run = run_module(args, work_dir, subjects, options)
            LOG.info('%d rows: module (%s), %d subject(s)%s: %.0f rows/s, %d found', rows, label, len(subjects),
                     ' (phone)' if name == 'module_1_phone' else '', rate(run), run['found'])
            module_runs.setdefault(name, []).append(dict(run, label=label))
    single, phone, many = (module_runs[name][0] for name in ('module_1', 'module_1_phone', 'module_many'))
    sweep = []
    if args.sweep:
        for options in MODULE_SWEEP:
            result = run_module(args, work_dir, values, options)
            LOG.info('%d rows: module, %d subjects, %s: %.0f rows/s', rows, len(values), options, rate(result))
            sweep.append(result)

    return {
        'rows': rows,
        'dataset': manifest,
        # Each row that got a subject got exactly one.
        'expected_found': {'1': counts[0], '1 phone': counts[-1], str(len(values)): manifest['rows_with_subjects']},
        'read_limit': best,
        'read_limit_runs': read_limits,
        'sequential': sequential,
        'module_1': single,
        'module_1_phone': phone,
        'module_many': many,
        'module_runs': module_runs,
        'module_sweep': sweep,
    }


def print_table(results, subjects):
    lines = ['| rows | run | rows/s | ratio to read limit | peak RSS (MiB) | client CPU us/row | Cassandra CPU us/row '
             '| CPU ratio | found / expected |',
             '|---:|---|---:|---:|---:|---:|---:|---:|---|']
    for size in results:
        limit = rate(size['read_limit'])
        runs = [('read limit (%d proc x %d threads, fetch %d, %d ranges)'
                 % (size['read_limit']['processes'], size['read_limit']['threads'], size['read_limit']['fetch_size'],
                    size['read_limit']['ranges']), size['read_limit'], ''),
                ('sequential baseline, 1 subject', size['sequential'], '')]
        for index, (label, _options) in enumerate(MODULE_CONFIGS):
            for name, description, expected in (('module_1', '1 subject (e-mail address)', '1'),
                                                ('module_1_phone', '1 subject (phone number)', '1 phone'),
                                                ('module_many', '%d subjects' % subjects, str(subjects))):
                run = size['module_runs'][name][index]
                runs.append(('module, %s, %s' % (description, label), run,
                             '%d / %d' % (run['found'], size['expected_found'][expected])))
        runs += [('module, %d subjects, %s' % (subjects, run['options']), run, '') for run in size['module_sweep']]
        limit_cpu = cpu_per_row(size['read_limit'])
        for name, run, found in runs:
            cpu = cpu_per_row(run)
            lines.append('| %s | %s | %.0f | %.2f | %.0f | %.2f | %s | %s | %s |' % (
                '{:,}'.format(size['rows']), name, rate(run), rate(run) / limit if limit else 0.0, run['rss_mib'],
                run['client_cpu_us_per_row'], run['cassandra_cpu_us_per_row'],
                '%.2f' % (limit_cpu / cpu) if cpu and limit_cpu else '', found))
    return '\n'.join(lines)


def cpu_per_row(run):
    """Return the client and Cassandra CPU microseconds per row of a run, or None when Cassandra's is unknown.

    On a machine where Cassandra and the client share the cores and nothing else runs, rows/s
    is about the cores divided by this, so the ratio of two runs' CPU per row predicts their
    ratio of rows/s on such a machine, however loaded the machine was during the measurement.
    """
    if run.get('cassandra_cpu_us_per_row') is None:
        return None
    return run['client_cpu_us_per_row'] + run['cassandra_cpu_us_per_row']


def check_found(results, subjects):
    """Return messages for runs that found fewer settings than the data set has, or were incomplete.

    A run may find more: a generated phone number or address of someone else can equal a
    subject by chance.
    """
    problems = []
    for size in results:
        for key, run in [(expected, run) for name, expected in (('module_1', '1'), ('module_1_phone', '1 phone'),
                                                                ('module_many', str(subjects)))
                         for run in size['module_runs'][name]]:
            if run['found'] < size['expected_found'][key] or not run['complete']:
                problems.append('%d rows, %s subjects: found %d settings, expected %d (complete: %s)'
                                % (size['rows'], key, run['found'], size['expected_found'][key], run['complete']))
    return problems


def machine():
    load = os.getloadavg()
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30
    return {'cpus': os.cpu_count(), 'memory_gib': round(memory, 1), 'python': platform.python_version(),
            'platform': platform.platform(), 'load_average_at_start': [round(value, 2) for value in load]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--rows', default='100000,1000000',
                        help='comma-separated data set sizes in settings rows (default: %(default)s)')
    parser.add_argument('--subjects', type=int, default=1000, help='subjects in the pool (default: %(default)s)')
    parser.add_argument('--subject-share', type=float, default=0.01,
                        help='share of rows that contain a subject (default: %(default)s)')
    parser.add_argument('--cassandra-port', type=int, default=int(os.environ.get('GDPR_LAB_CQL_PORT', '9042')),
                        help='CQL port of the lab (default: GDPR_LAB_CQL_PORT or 9042)')
    parser.add_argument('--keyspace', default='gdpr_bench', help='keyspace to (re)create (default: %(default)s)')
    parser.add_argument('--random-seed', type=int, default=42, help='seed of the data generator (default: %(default)s)')
    parser.add_argument('--work-dir', default=str(REPO / '.bench'), help='work directory (default: %(default)s)')
    parser.add_argument('--output', default=str(BENCH_DIR / 'results.json'),
                        help='JSON file for the results (default: %(default)s)')
    parser.add_argument('--sweep', action='store_true', help='also run the module with other scan options')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--config', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        config = json.loads(args.config)
        worker = {'read-limit': worker_read_limit, 'sequential': worker_sequential,
                  'startup': worker_startup}[args.worker]
        print(json.dumps(worker(config)))
        return 0

    logging.basicConfig(format='bench: %(message)s', level=logging.INFO, stream=sys.stderr)
    logging.getLogger('cassandra').setLevel(logging.ERROR)
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    started = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    sizes = [int(value) for value in args.rows.split(',') if value.strip()]
    measure_fixed_cpu(args, work_dir)
    results = [bench_size(args, rows, work_dir) for rows in sizes]

    report = {'started': started, 'command': ' '.join([Path(sys.executable).name] + sys.argv),
              'machine': machine(), 'fixed_cpu_seconds': FIXED_CPU, 'results': results}
    by_rss = dict((size['rows'], size) for size in results)
    if len(by_rss) >= 2:
        smallest, largest = min(by_rss), max(by_rss)
        report['rss_growth'] = dict(
            (name, round(by_rss[largest][name]['rss_mib'] / by_rss[smallest][name]['rss_mib'], 3))
            for name in ('module_1', 'module_1_phone', 'module_many'))
        report['rss_growth_by_options'] = dict(
            (label, dict((name, round(by_rss[largest]['module_runs'][name][index]['rss_mib']
                                      / by_rss[smallest]['module_runs'][name][index]['rss_mib'], 3))
                         for name in ('module_1', 'module_1_phone', 'module_many')))
            for index, (label, _options) in enumerate(MODULE_CONFIGS))
    Path(args.output).write_text(json.dumps(report, indent=2) + '\n')

    print(print_table(results, args.subjects))
    for label, growth in sorted(report.get('rss_growth_by_options', {}).items()):
        print('\nPeak RSS of the module (%s) at %s rows / at %s rows: 1 subject %.2f (phone %.2f), %d subjects %.2f'
              % (label, '{:,}'.format(max(by_rss)), '{:,}'.format(min(by_rss)), growth['module_1'],
                 growth['module_1_phone'], args.subjects, growth['module_many']))
    machine_info = report['machine']
    print('\nLoad average at start: %s on %d CPUs. Results: %s'
          % (machine_info['load_average_at_start'], machine_info['cpus'], args.output))
    problems = check_found(results, args.subjects)
    for problem in problems:
        print('bench: %s' % problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
