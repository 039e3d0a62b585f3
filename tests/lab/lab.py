# SPDX-License-Identifier: GPL-3.0-or-later
"""Driver of the gdpr.gws test lab: a real Cassandra 5.0 node plus the GWS emulator on 127.0.0.1.

Usage: python tests/lab/lab.py COMMAND [ARGS]   (tests/lab/lab.sh picks the Python for you)

  up         fetch Cassandra (cached), start a fresh node, create the schema and lab users,
             start the GWS emulator and wait until GET /api/v2/me returns statusCode 0.
             `up --secure` starts the secure lab instead: Cassandra with PasswordAuthenticator
             and client TLS, and the emulator over HTTPS, with certificates from a lab CA
  down       stop the emulator and the node (SIGTERM, bounded wait, then SIGKILL); idempotent
  status     show what runs and whether it responds; exit status 0 only when both respond
  seed       run seed.py against the lab (extra arguments are passed on)
  nodetool   run Cassandra's nodetool against the lab node (arguments are passed on)
  cql        run one CQL statement against the lab node and print the rows
  selftest   check the emulator's auth, CSRF and delete behaviour against Cassandra on scratch data
  fetch      only fetch or assemble Cassandra into the cache
  alt-layout `alt-layout up` creates the alternative settings layout (keyspace gws_alt, schema_alt.cql),
             seeds it and starts a second emulator that stores settings through profile_alt.yml;
             `alt-layout seed` seeds it again, `alt-layout down` stops that emulator
  sstabledump print the live SSTables of a table as JSON (`sstabledump KEYSPACE TABLE`)

Settings come from environment variables; README.md in this directory lists them.
"""

import argparse
import base64
import contextlib
import http.cookiejar
import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import alt_layout
import cassandra_node
import lab_tls
import sstable_tools
from cassandra_node import LabError, NodeSettings

LOG = logging.getLogger("lab")

LAB_SOURCE_DIR = Path(__file__).resolve().parent
REPO_ROOT = LAB_SOURCE_DIR.parent.parent
SCHEMA_FILE = LAB_SOURCE_DIR / "schema.cql"
EMULATOR_SCRIPT = LAB_SOURCE_DIR / "gws_emulator.py"
SEED_SCRIPT = LAB_SOURCE_DIR / "seed.py"
KEYSPACE = "sipfs"
ADMIN_USER = ("lab-admin", "lab-admin-password")
EMULATOR_START_TIMEOUT = 30
EMULATOR_STOP_TIMEOUT = 15
NODE_STOP_TIMEOUT = 60


class LabConfig:
    """Lab settings read from the environment (see README.md for each variable)."""

    def __init__(self, environ):
        self.lab_dir = Path(environ.get("GDPR_LAB_DIR") or REPO_ROOT / ".lab").resolve()
        self.cache_dir = Path(environ.get("GDPR_LAB_CACHE") or Path.home() / ".cache" / "gdpr-gws-lab").resolve()
        self.versions = cassandra_node.version_candidates(environ.get("CASSANDRA_VERSION"))
        self.cql_port = _port(environ, "GDPR_LAB_CQL_PORT", 9042)
        self.storage_port = _port(environ, "GDPR_LAB_STORAGE_PORT", 7000)
        self.jmx_port = _port(environ, "GDPR_LAB_JMX_PORT", 7199)
        self.gws_port = _port(environ, "GDPR_LAB_GWS_PORT", 8090)
        self.heap = environ.get("GDPR_LAB_HEAP", "1G")
        self.java = environ.get("GDPR_LAB_JAVA", "java")
        self.jvm_options = shlex.split(environ.get("GDPR_LAB_JVM_OPTS", ""))
        self.emulator_args = shlex.split(environ.get("GDPR_LAB_GWS_ARGS", ""))
        try:
            self.start_timeout = int(environ.get("GDPR_LAB_START_TIMEOUT", "180"))
        except ValueError as exc:
            raise LabError("GDPR_LAB_START_TIMEOUT must be a whole number of seconds") from exc
        ports = [self.cql_port, self.storage_port, self.jmx_port, self.gws_port]
        if len(set(ports)) != len(ports):
            raise LabError("the lab ports must differ: CQL %d, storage %d, JMX %d, GWS %d" % tuple(ports))

    @property
    def node_dir(self):
        return self.lab_dir / "cassandra"

    @property
    def emulator_dir(self):
        return self.lab_dir / "emulator"

    @property
    def state_file(self):
        return self.lab_dir / "lab.json"

    @property
    def manifest_file(self):
        return self.lab_dir / "seed-manifest.json"


def _port(environ, name, default):
    value = environ.get(name)
    if not value:
        return default
    try:
        port = int(value)
    except ValueError as exc:
        raise LabError("%s must be a TCP port number, got %r" % (name, value)) from exc
    if not 1 <= port <= 65535:
        raise LabError("%s must be between 1 and 65535, got %d" % (name, port))
    return port


# ---------------------------------------------------------------------------------------------
# State of a running lab: ports and distribution recorded by `up`.
# ---------------------------------------------------------------------------------------------

def read_state(config):
    try:
        return json.loads(config.state_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise LabError("%s is not valid JSON; run `lab.sh down` and `lab.sh up` again" % config.state_file) from exc


def write_state(config, state):
    config.state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def node_settings(config, state=None):
    """Return NodeSettings for the running lab (ports from its state) or for a new one."""
    if state is not None:
        return NodeSettings(config.node_dir, state["cql_port"], state["storage_port"], state["jmx_port"],
                            state.get("heap", config.heap), state.get("java", config.java))
    return NodeSettings(config.node_dir, config.cql_port, config.storage_port, config.jmx_port, config.heap,
                        config.java, config.jvm_options)


def emulator_pid_file(config):
    return config.emulator_dir / "emulator.pid"


def emulator_markers(config):
    return [str(EMULATOR_SCRIPT.name), str(config.emulator_dir / "access.log")]


def require_state(config):
    state = read_state(config)
    settings = node_settings(config, state) if state else None
    if state is None or cassandra_node.running_pid(settings.pid_file, cassandra_node.node_markers(settings)) is None:
        raise LabError("the lab in %s is not running; start it with tests/lab/lab.sh up" % config.lab_dir)
    return state


# ---------------------------------------------------------------------------------------------
# CQL helpers.
# ---------------------------------------------------------------------------------------------

def secure_files(config, state):
    """Return the SecureFiles of a secure lab's state, or None for the plain lab."""
    return lab_tls.SecureFiles(config.lab_dir) if state and state.get("secure") else None


def superuser_options(files):
    """Return the Cluster arguments to connect to the secure lab as its superuser, or {} for the plain lab."""
    if files is None:
        return {}
    return lab_tls.cluster_options(lab_tls.SUPERUSER[0], password=lab_tls.SUPERUSER[1], ca_file=files.ca)


def connect(port, connect_options=None):
    """Return (cluster, session) connected to the lab node on 127.0.0.1:port."""
    try:
        from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile  # pylint: disable=import-outside-toplevel
        from cassandra.policies import WhiteListRoundRobinPolicy  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise LabError("cassandra-driver is not installed for %s; create the virtualenv (make venv) or set "
                       "PYTHON to an interpreter that has it" % sys.executable) from exc
    profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy(["127.0.0.1"]), request_timeout=60)
    cluster = Cluster(["127.0.0.1"], port=port, connect_timeout=10, execution_profiles={EXEC_PROFILE_DEFAULT: profile},
                      **(connect_options or {}))
    return cluster, cluster.connect()


def schema_statements(text):
    """Split a CQL file into statements, dropping `--` comment lines and trailing comments.

    NOTE: a `--` or `;` inside a string literal would be split wrongly; schema.cql has none.
    """
    lines = []
    for line in text.splitlines():
        code = line.split("--", 1)[0].rstrip()
        if code:
            lines.append(code)
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def apply_schema(session):
    for statement in schema_statements(SCHEMA_FILE.read_text(encoding="utf-8")):
        session.execute(statement, timeout=60)


def ensure_lab_users(session):
    import gws_emulator  # pylint: disable=import-outside-toplevel
    gws_emulator.ensure_lab_users(session, KEYSPACE)


def ensure_roles(session, files):
    """Create the secure lab's Cassandra roles: the emulator's (all on the keyspace) and a read-only one."""
    credentials = files.read_credentials()
    for role, permissions in ((lab_tls.GWS_ROLE, "ALL PERMISSIONS"), (lab_tls.READER_ROLE, "SELECT")):
        session.execute("CREATE ROLE IF NOT EXISTS %s WITH PASSWORD = %%s AND LOGIN = true" % role,
                        (credentials[role],), timeout=60)
        session.execute("GRANT %s ON KEYSPACE %s TO %s" % (permissions, KEYSPACE, role), timeout=60)


# ---------------------------------------------------------------------------------------------
# Emulator process.
# ---------------------------------------------------------------------------------------------

def http_request(url, method="GET", auth=None, headers=None, body=None, opener=None, timeout=10, context=None):
    """Send one HTTP request; return (status, headers, body text). HTTP errors are returned too.

    context is the SSLContext for an https URL (the secure lab's CA).
    """
    request = urllib.request.Request(url, method=method, data=body)
    if auth is not None:
        token = base64.b64encode(("%s:%s" % auth).encode("utf-8")).decode("ascii")
        request.add_header("Authorization", "Basic " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if opener is not None:
        open_url = opener.open
    else:
        def open_url(request, timeout):
            return urllib.request.urlopen(request, timeout=timeout, context=context)
    try:
        with open_url(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def emulator_url(port, files=None):
    return "%s://127.0.0.1:%d" % ("https" if files is not None else "http", port)


def emulator_responds(port, files=None):
    """Return True if GET /api/v2/me with lab-admin returns statusCode 0."""
    context = lab_tls.client_ssl_context(files.ca) if files is not None else None
    try:
        status, _headers, text = http_request(emulator_url(port, files) + "/api/v2/me", auth=ADMIN_USER, timeout=5,
                                              context=context)
    except OSError:
        return False
    if status != 200:
        return False
    try:
        return json.loads(text).get("statusCode") == 0
    except ValueError:
        return False


def start_emulator(config, cql_port, gws_port, files=None):
    config.emulator_dir.mkdir(parents=True, exist_ok=True)
    log_file = config.emulator_dir / "emulator.log"
    stdout_file = config.emulator_dir / "stdout.log"
    command = [
        sys.executable, str(EMULATOR_SCRIPT),
        "--host", "127.0.0.1", "--port", str(gws_port),
        "--cassandra-host", "127.0.0.1", "--cassandra-port", str(cql_port),
        "--keyspace", KEYSPACE,
        "--access-log", str(config.emulator_dir / "access.log"),
        "--log-file", str(log_file),
        "--lab-control",
    ]
    if files is not None:
        command += ["--tls-cert", str(files.gws_certificate), "--tls-key", str(files.gws_key),
                    "--cassandra-username", lab_tls.GWS_ROLE, "--cassandra-password-file", str(files.gws_role_password),
                    "--cassandra-ca", str(files.ca)]
    command += config.emulator_args
    LOG.info("starting the GWS emulator on %s", emulator_url(gws_port, files))
    with open(stdout_file, "ab") as stdout:
        process = subprocess.Popen(command, cwd=str(LAB_SOURCE_DIR), stdin=subprocess.DEVNULL, stdout=stdout,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    emulator_pid_file(config).write_text("%d\n" % process.pid, encoding="utf-8")

    deadline = time.monotonic() + EMULATOR_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LabError("the GWS emulator exited with code %s during start-up.\n--- %s ---\n%s\n--- %s ---\n%s"
                           % (process.returncode, stdout_file, cassandra_node.tail_file(stdout_file, 20),
                              log_file, cassandra_node.tail_file(log_file, 20)))
        if emulator_responds(gws_port, files):
            return process.pid
        time.sleep(0.3)
    raise LabError("the GWS emulator did not respond to GET /api/v2/me within %d s; see %s"
                   % (EMULATOR_START_TIMEOUT, log_file))


def stop_emulator(config):
    pid = cassandra_node.running_pid(emulator_pid_file(config), emulator_markers(config))
    if pid is None:
        with contextlib.suppress(FileNotFoundError):
            emulator_pid_file(config).unlink()
        return "not running"
    LOG.info("stopping the GWS emulator (pid %d)", pid)
    result = cassandra_node.stop_process(pid, "GWS emulator", EMULATOR_STOP_TIMEOUT)
    with contextlib.suppress(FileNotFoundError):
        emulator_pid_file(config).unlink()
    return result


# ---------------------------------------------------------------------------------------------
# Commands.
# ---------------------------------------------------------------------------------------------

def command_fetch(config, args):  # pylint: disable=unused-argument
    distribution = cassandra_node.ensure_distribution(config.cache_dir, config.versions)
    print("Cassandra %s (%s) in %s" % (distribution.version, distribution.source, distribution.home))
    return 0


def command_up(config, args):
    unknown = [argument for argument in args.arguments if argument != "--secure"]
    if unknown:
        raise LabError("up accepts only --secure, got %s" % " ".join(unknown))
    secure = "--secure" in args.arguments
    started = time.monotonic()
    config.lab_dir.mkdir(parents=True, exist_ok=True)
    state = read_state(config)
    if state is not None:
        settings = node_settings(config, state)
        if cassandra_node.running_pid(settings.pid_file, cassandra_node.node_markers(settings)) is not None:
            if bool(state.get("secure")) != secure:
                raise LabError("the lab in %s already runs %s; run `lab.sh down` first to change that"
                               % (config.lab_dir, "secure (TLS and authentication)" if state.get("secure") else "plain"))
            return _resume_running_lab(config, state)

    # A fresh run: nothing of ours may still be running, and the ports must be free. The data,
    # logs and seed manifest of an earlier run are removed, since the new node starts empty.
    leftover = node_settings(config)
    leftover_pid = cassandra_node.running_pid(leftover.pid_file, cassandra_node.node_markers(leftover))
    if leftover_pid is not None:
        raise LabError("Cassandra of an earlier run in %s is still running (pid %d) but %s is missing; "
                       "stop it with tests/lab/lab.sh down" % (config.lab_dir, leftover_pid, config.state_file))
    stop_emulator(config)
    shutil.rmtree(config.emulator_dir, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        config.manifest_file.unlink()
    settings = node_settings(config)
    cassandra_node.check_ports_free(settings.ports() + [("GWS emulator", config.gws_port, "GDPR_LAB_GWS_PORT")])
    settings.java = cassandra_node.check_java(config.java)
    distribution = cassandra_node.ensure_distribution(config.cache_dir, config.versions)

    files = None
    if secure:
        shutil.rmtree(lab_tls.SecureFiles(config.lab_dir).directory, ignore_errors=True)
        files = lab_tls.generate_secure_files(config.lab_dir)
        LOG.info("secure lab: CA, node keystore and emulator certificate written to %s", files.directory)
    cassandra_node.write_node_config(settings, lab_tls.cassandra_yaml_options(files) if files else None)
    process = cassandra_node.start_node(settings, distribution)
    state = {
        "cql_port": settings.cql_port, "storage_port": settings.storage_port, "jmx_port": settings.jmx_port,
        "gws_port": config.gws_port, "heap": settings.heap, "java": settings.java,
        "distribution": distribution.to_dict(), "started_at": int(time.time()), "secure": secure,
    }
    write_state(config, state)
    try:
        release = cassandra_node.wait_for_cql(settings, process, config.start_timeout, superuser_options(files))
        LOG.info("Cassandra %s accepts CQL on 127.0.0.1:%d after %.1f s", release, settings.cql_port,
                 time.monotonic() - started)
        cluster, session = connect(settings.cql_port, superuser_options(files))
        try:
            apply_schema(session)
            ensure_lab_users(session)
            if files is not None:
                ensure_roles(session, files)
        finally:
            cluster.shutdown()
        LOG.info("schema and lab users created in keyspace %s", KEYSPACE)
        start_emulator(config, settings.cql_port, config.gws_port, files)
    except BaseException:
        LOG.error("lab start-up failed; stopping what this run started")
        stop_emulator(config)
        cassandra_node.stop_node(settings, NODE_STOP_TIMEOUT)
        with contextlib.suppress(FileNotFoundError):
            config.state_file.unlink()
        raise

    LOG.info("lab is up in %.1f s", time.monotonic() - started)
    print_summary(config, state)
    return 0


def _resume_running_lab(config, state):
    """Handle `up` on a lab that already runs: reapply schema and users, restart a dead emulator."""
    LOG.info("the lab in %s is already running; reusing it", config.lab_dir)
    requested = (config.cql_port, config.storage_port, config.jmx_port, config.gws_port)
    running = (state["cql_port"], state["storage_port"], state["jmx_port"], state["gws_port"])
    if requested != running:
        LOG.warning("it runs on ports CQL %d, storage %d, JMX %d, GWS %d, not the requested ones; run "
                    "`lab.sh down` first to change them", *running)
    files = secure_files(config, state)
    cluster, session = connect(state["cql_port"], superuser_options(files))
    try:
        apply_schema(session)
        ensure_lab_users(session)
        if files is not None:
            ensure_roles(session, files)
    finally:
        cluster.shutdown()
    if cassandra_node.running_pid(emulator_pid_file(config), emulator_markers(config)) is None:
        cassandra_node.check_ports_free([("GWS emulator", state["gws_port"], "GDPR_LAB_GWS_PORT")])
        start_emulator(config, state["cql_port"], state["gws_port"], files)
    elif not emulator_responds(state["gws_port"], files):
        raise LabError("the GWS emulator runs but GET /api/v2/me fails; see %s" % (config.emulator_dir / "emulator.log"))
    print_summary(config, state)
    return 0


def print_summary(config, state):
    distribution = state["distribution"]
    print("lab up: Cassandra %s (%s)" % (distribution["version"], distribution["source"]))
    print("  CQL        127.0.0.1:%d   (storage %d, JMX %d)" % (state["cql_port"], state["storage_port"], state["jmx_port"]))
    files = secure_files(config, state)
    print("  GWS        %s   (gws_url; API under /api/v2)   admin lab-admin / lab-admin-password"
          % emulator_url(state["gws_port"], files))
    if files is not None:
        print("  secure     PasswordAuthenticator and client TLS; CA %s, roles and passwords in %s"
              % (files.ca, files.credentials))
    print("  logs       %s/cassandra/logs/system.log, %s/emulator/" % (config.lab_dir, config.lab_dir))


def command_down(config, args):  # pylint: disable=unused-argument
    state = read_state(config)
    alt_layout.stop_emulator(config)
    emulator_result = stop_emulator(config)
    node_result = cassandra_node.stop_node(node_settings(config, state), NODE_STOP_TIMEOUT)
    with contextlib.suppress(FileNotFoundError):
        config.state_file.unlink()
    print("lab down: GWS emulator %s, Cassandra %s" % (emulator_result, node_result))
    return 0


def command_status(config, args):  # pylint: disable=unused-argument
    state = read_state(config)
    settings = node_settings(config, state)
    node_pid = cassandra_node.running_pid(settings.pid_file, cassandra_node.node_markers(settings))
    emulator_pid = cassandra_node.running_pid(emulator_pid_file(config), emulator_markers(config))
    healthy = True

    files = secure_files(config, state)
    if node_pid is None:
        print("Cassandra      not running")
        healthy = False
    else:
        release = _release_version(settings.cql_port, files)
        healthy = healthy and release is not None
        print("Cassandra      pid %d, CQL 127.0.0.1:%d %s" % (
            node_pid, settings.cql_port, "responds (release %s)" % release if release else "does NOT respond"))
    if emulator_pid is None:
        print("GWS emulator   not running")
        healthy = False
    else:
        gws_port = state["gws_port"] if state else config.gws_port
        responds = emulator_responds(gws_port, files)
        healthy = healthy and responds
        print("GWS emulator   pid %d, %s %s" % (
            emulator_pid, emulator_url(gws_port, files), "responds" if responds else "does NOT respond"))
    print("lab directory  %s" % config.lab_dir)
    return 0 if healthy else 1


def _release_version(port, files=None):
    try:
        cluster, session = connect(port, superuser_options(files))
    except Exception:  # pylint: disable=broad-except
        return None
    try:
        return session.execute("SELECT release_version FROM system.local", timeout=10).one().release_version
    except Exception:  # pylint: disable=broad-except
        return None
    finally:
        cluster.shutdown()


def command_seed(config, args):
    state = require_state(config)
    extra = list(args.arguments)
    command = [sys.executable, str(SEED_SCRIPT), "--cassandra-host", "127.0.0.1",
               "--cassandra-port", str(state["cql_port"]), "--keyspace", KEYSPACE]
    files = secure_files(config, state)
    if files is not None:
        command += ["--cassandra-username", lab_tls.GWS_ROLE, "--cassandra-password-file", str(files.gws_role_password),
                    "--cassandra-ca", str(files.ca)]
    if not any(argument == "--manifest" or argument.startswith("--manifest=") for argument in extra):
        command += ["--manifest", str(config.manifest_file)]
    return subprocess.call(command + extra)


def command_nodetool(config, args):
    state = require_state(config)
    distribution = cassandra_node.Distribution.from_dict(state["distribution"])
    command = cassandra_node.nodetool_command(node_settings(config, state), distribution, args.arguments)
    return subprocess.call(command)


def command_cql(config, args):
    state = require_state(config)
    cluster, session = connect(state["cql_port"], superuser_options(secure_files(config, state)))
    try:
        rows = session.execute(" ".join(args.arguments), timeout=60)
        for row in rows:
            print(json.dumps(row._asdict() if hasattr(row, "_asdict") else list(row), default=str))
    finally:
        cluster.shutdown()
    return 0


def command_selftest(config, args):  # pylint: disable=unused-argument
    state = require_state(config)
    if state.get("secure"):
        raise LabError("selftest runs on the plain lab only; the secure lab is checked by tests/integration/test_tls_auth.py")
    return SelfTest(state["gws_port"], state["cql_port"]).run()


def _status_code(data):
    return data.get("statusCode") if isinstance(data, dict) else None


class SelfTest:
    """End-to-end checks of the emulator against the lab's Cassandra, on a scratch settings group.

    The scratch group belongs to lab-agent and is deleted at the end, so seeded data and the
    seed manifest stay valid.
    """

    def __init__(self, gws_port, cql_port):
        self.base_url = "http://127.0.0.1:%d/api/v2" % gws_port
        self.cql_port = cql_port
        self.passed = 0
        self.failed = 0

    def check(self, description, condition):
        if condition:
            self.passed += 1
            print("ok    %s" % description)
        else:
            self.failed += 1
            print("FAIL  %s" % description)

    def call(self, method, path, auth=ADMIN_USER, opener=None, headers=None, payload=None):
        body = json.dumps(payload).encode("utf-8") if payload is not None else None
        status, response_headers, text = http_request(self.base_url + path, method, auth, headers, body, opener)
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        return status, response_headers, data

    def run(self):
        cookie_jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookie_jar))

        status, headers, data = self.call("GET", "/me", opener=opener)
        self.check("GET /me as lab-admin returns 200 and statusCode 0", status == 200 and _status_code(data) == 0)
        self.check("GET /me announces X-CSRF-HEADER: X-CSRF-TOKEN", headers.get("X-CSRF-HEADER") == "X-CSRF-TOKEN")
        token = headers.get("X-CSRF-TOKEN")
        self.check("GET /me returns a CSRF token", bool(token))
        self.check("GET /me sets the JSESSIONID cookie", any(cookie.name == "JSESSIONID" for cookie in cookie_jar))
        csrf = {"X-CSRF-TOKEN": token or ""}

        status, headers, data = self.call("GET", "/me", auth=("lab-admin", "wrong-password"))
        self.check("wrong password returns 401 with statusCode 3", status == 401 and _status_code(data) == 3)
        self.check("401 carries WWW-Authenticate: Basic", (headers.get("WWW-Authenticate") or "").startswith("Basic"))

        agent = ("lab-agent", "lab-agent-password")
        status, _headers, data = self.call("GET", "/me", auth=agent)
        agent_id = data["user"]["id"] if status == 200 and isinstance(data, dict) else "missing"
        status, _headers, data = self.call("GET", "/users", auth=agent)
        self.check("lab-agent listing users gets 403 with statusCode 5", status == 403 and _status_code(data) == 5)

        group = "lab-selftest-%s" % uuid.uuid4().hex[:8]
        group_path = "/users/%s/settings/%s" % (agent_id, group)
        status, _headers, data = self.call("POST", "/users/%s/settings" % agent_id, opener=opener, headers=csrf,
                                           payload={"name": group, "displayName": "Lab self-test", "key": "id"})
        self.check("POST a settings group with CSRF returns statusCode 0", status == 200 and _status_code(data) == 0)
        setting = {"id": "scratch-1", "note": "self-test"}
        status, _headers, data = self.call("POST", group_path, opener=opener, headers=csrf, payload=setting)
        self.check("POST a setting returns statusCode 0", status == 200 and _status_code(data) == 0)
        status, _headers, data = self.call("POST", group_path, opener=opener, headers=csrf, payload=setting)
        self.check("POST the same setting again returns 400 with statusCode 2", status == 400 and _status_code(data) == 2)
        status, _headers, data = self.call("GET", group_path, auth=agent)
        self.check("lab-agent reads its own group", status == 200 and isinstance(data, dict) and data.get("settings") == [setting])

        key = {"id": "scratch-1"}
        status, _headers, data = self.call("DELETE", group_path, opener=opener, payload=key)
        self.check("DELETE without the CSRF header returns 403 'Missing or invalid Csrf token'",
                   status == 403 and data == "Missing or invalid Csrf token")
        status, _headers, data = self.call("DELETE", group_path, opener=opener, headers={"X-CSRF-TOKEN": str(uuid.uuid4())},
                                           payload=key)
        self.check("DELETE with a wrong CSRF token returns 403", status == 403)
        status, _headers, data = self.call("DELETE", group_path, headers=csrf, payload=key)
        self.check("DELETE with the token but without the session cookie returns 403", status == 403)
        self.check("the setting is still in Cassandra after the rejected deletes", self.row_exists(agent_id, group, "scratch-1"))

        status, _headers, data = self.call("DELETE", group_path, opener=opener, headers=csrf, payload=key)
        self.check("DELETE with cookie and CSRF token returns statusCode 0", status == 200 and _status_code(data) == 0)
        self.check("the setting is gone from Cassandra", not self.row_exists(agent_id, group, "scratch-1"))
        status, _headers, data = self.call("DELETE", group_path, opener=opener, headers=csrf, payload=key)
        self.check("DELETE of the deleted setting returns 404 with statusCode 6", status == 404 and _status_code(data) == 6)

        status, _headers, data = self.call("DELETE", group_path, opener=opener, headers=csrf)
        self.check("DELETE of the group without a body returns statusCode 0", status == 200 and _status_code(data) == 0)
        status, _headers, data = self.call("GET", group_path)
        self.check("GET of the deleted group returns 404 with statusCode 6", status == 404 and _status_code(data) == 6)

        print("selftest: %d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1

    def row_exists(self, owner_id, group, key):
        cluster, session = connect(self.cql_port)
        try:
            row = session.execute(
                "SELECT setting_key FROM %s.settings WHERE scope = 'user' AND owner_id = %%s AND group_name = %%s "
                "AND setting_key = %%s" % KEYSPACE, (owner_id, group, key)).one()
            return row is not None
        finally:
            cluster.shutdown()


def command_alt_layout(config, args):
    return alt_layout.command(config, args, sys.modules[__name__])


def command_sstabledump(config, args):
    return sstable_tools.command(config, args, sys.modules[__name__])


COMMANDS = {
    "up": command_up,
    "down": command_down,
    "status": command_status,
    "seed": command_seed,
    "nodetool": command_nodetool,
    "cql": command_cql,
    "selftest": command_selftest,
    "fetch": command_fetch,
    "alt-layout": command_alt_layout,
    "sstabledump": command_sstabledump,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="arguments for up (--secure), seed, nodetool, cql, alt-layout and sstabledump")
    args = parser.parse_args(argv)
    logging.basicConfig(format="lab: %(message)s", level=logging.INFO, stream=sys.stderr)
    logging.getLogger("cassandra").setLevel(logging.ERROR)
    try:
        config = LabConfig(os.environ)
        return COMMANDS[args.command](config, args)
    except LabError as exc:
        print("lab: error: %s" % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
