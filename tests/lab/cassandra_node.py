# SPDX-License-Identifier: GPL-3.0-or-later
"""Fetch, configure, start and stop the lab's single Apache Cassandra 5.0 node.

The node runs from a directory of jars in the cache (${GDPR_LAB_CACHE:-~/.cache/gdpr-gws-lab}):
- first choice, the official binary distribution
  org.apache.cassandra:apache-cassandra:<version>:tar.gz:bin fetched with Maven;
- fallback, org.apache.cassandra:cassandra-all:<version> plus its runtime dependencies, copied
  by maven-dependency-plugin from a generated pom. Maven Central serves no 5.0 bin tarball
  (its apache-cassandra metadata stops at 4.0-alpha2), so today every fresh cache takes this path.

Either way the lab writes its own cassandra.yaml and logback.xml (templates in conf/) and starts
`java ... -cp conf:lib/* org.apache.cassandra.service.CassandraDaemon` in the foreground of a new
session, so no bin/ script and no root check is involved.
"""

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from pathlib import Path

LOG = logging.getLogger("lab.cassandra")

LAB_SOURCE_DIR = Path(__file__).resolve().parent
CONF_TEMPLATE_DIR = LAB_SOURCE_DIR / "conf"

# Newest first. NOTE: the list is fixed; add a release here (or set CASSANDRA_VERSION) when a
# newer 5.0.x appears on Maven Central.
DEFAULT_VERSIONS = ("5.0.9", "5.0.8", "5.0.7", "5.0.6")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
REQUIRED_JAVA_MAJOR = 17
DAEMON_CLASS = "org.apache.cassandra.service.CassandraDaemon"
NODETOOL_CLASS = "org.apache.cassandra.tools.NodeTool"

# Module exports and opens that Cassandra 5.0 needs on Java 17, as listed in its
# conf/jvm17-server.options.
JDK17_MODULE_FLAGS = (
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
    "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
)

# Start-up speed properties for a lone test node: no gossip settling wait, a 1 s ring delay
# (Cassandra's own unit tests use it) and no 10 s delay before the default superuser exists.
STARTUP_SPEED_PROPERTIES = (
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.ring_delay_ms=1000",
    "-Dcassandra.superuser_setup_delay_ms=0",
)

VERSION_PATTERN = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.]+)?$")
JAVA_VERSION_PATTERN = re.compile(r'version "(?:1\.)?([0-9]+)')
# A placeholder is a whole double-quoted YAML scalar, so the template stays valid YAML.
PLACEHOLDER_PATTERN = re.compile(r'"@@([A-Z_]+)@@"')


class LabError(Exception):
    """A lab step failed; the message states what failed and what to do next."""


def version_candidates(override=None):
    """Return the Cassandra versions to try, newest first.

    `override` is the value of CASSANDRA_VERSION: one version or a comma- or space-separated list.
    """
    if override is None or not override.strip():
        return list(DEFAULT_VERSIONS)
    versions = [item for item in re.split(r"[,\s]+", override.strip()) if item]
    for version in versions:
        if not VERSION_PATTERN.match(version):
            raise LabError(
                "invalid CASSANDRA_VERSION item %r: expected a release such as 5.0.9" % version)
    return versions


def parse_java_major(version_output):
    """Return the major Java version from `java -version` output, or None if not found."""
    match = JAVA_VERSION_PATTERN.search(version_output)
    if match is None:
        return None
    return int(match.group(1))


def check_java(java):
    """Check that `java` runs and is Java 17; return its absolute path."""
    path = shutil.which(java)
    if path is None:
        raise LabError(
            "java not found (looked for %r on PATH). Cassandra 5.0 in the lab needs JDK 17: "
            "install it (Debian: apt-get install openjdk-17-jdk-headless) or set GDPR_LAB_JAVA "
            "to a JDK 17 java binary." % java)
    try:
        completed = subprocess.run(
            [path, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError("running %s -version failed: %s" % (path, exc)) from exc
    major = parse_java_major(completed.stderr + completed.stdout)
    if major != REQUIRED_JAVA_MAJOR:
        raise LabError(
            "%s is Java %s, but the lab runs Cassandra 5.0 with the Java 17 module flags. "
            "Put a JDK 17 java first on PATH or set GDPR_LAB_JAVA." % (path, major or "of unknown version"))
    return path


def render_template(text, values):
    """Replace every quoted placeholder "@@NAME@@" in `text` with values[NAME] as a YAML scalar.

    Integers become plain numbers and everything else a double-quoted string (JSON encoding,
    which YAML reads the same way). Raises LabError when a placeholder has no value.
    """
    missing = sorted(set(PLACEHOLDER_PATTERN.findall(text)) - set(values))
    if missing:
        raise LabError("configuration template has placeholders without a value: %s" % ", ".join(missing))

    def scalar(match):
        value = values[match.group(1)]
        return str(value) if isinstance(value, int) else json.dumps(str(value))

    return PLACEHOLDER_PATTERN.sub(scalar, text)


def port_in_use(port, host="127.0.0.1"):
    """Return True if something listens on host:port or the port cannot be bound there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR, as the servers themselves set it: connections of an earlier run left in
        # TIME_WAIT must not count as busy, while a live listener still makes bind() fail.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def tail_file(path, lines=40):
    """Return the last `lines` lines of a text file, or a note that it does not exist."""
    path = Path(path)
    if not path.exists():
        return "(%s does not exist)" % path
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 64 * 1024))
        data = handle.read().decode("utf-8", errors="replace")
    return "\n".join(data.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# Distribution: fetch or assemble the jars, cached per version.
# ---------------------------------------------------------------------------------------------

class Distribution:
    """A usable Cassandra installation in the cache: its version, lib directory and origin."""

    def __init__(self, version, home, source):
        self.version = version
        self.home = Path(home)
        self.source = source

    @property
    def lib_dir(self):
        return self.home / "lib"

    def classpath(self, conf_dir):
        return "%s:%s/*" % (conf_dir, self.lib_dir)

    def to_dict(self):
        return {"version": self.version, "home": str(self.home), "source": self.source}

    @classmethod
    def from_dict(cls, data):
        return cls(data["version"], data["home"], data["source"])


def _cached_distribution(cache_dir, version):
    home = cache_dir / ("cassandra-%s" % version)
    marker = home / "distribution.json"
    if not marker.exists():
        return None
    try:
        source = json.loads(marker.read_text(encoding="utf-8"))["source"]
    except (OSError, ValueError, KeyError):
        return None
    if not any((home / "lib").glob("cassandra-all-*.jar")) and not any((home / "lib").glob("apache-cassandra-*.jar")):
        return None
    return Distribution(version, home, source)


def _run_maven(args, log_path, cwd):
    """Run Maven in batch mode; return (ok, error lines). The full output goes to log_path."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LabError(
            "mvn not found on PATH; the lab fetches Cassandra from Maven Central with Maven. "
            "Install it (Debian: apt-get install maven) and run the command again.")
    command = [mvn, "-B", "-q"] + list(args)
    LOG.debug("running %s", " ".join(command))
    with open(log_path, "ab") as log_file:
        log_file.write(("\n$ %s\n" % " ".join(command)).encode())
        log_file.flush()
        try:
            completed = subprocess.run(
                command, cwd=str(cwd), stdout=log_file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, timeout=1800, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LabError("Maven timed out after 30 minutes; see %s" % log_path) from exc
    if completed.returncode == 0:
        return True, []
    errors = [line for line in tail_file(log_path, 60).splitlines() if "[ERROR]" in line]
    return False, errors


def _is_missing_artifact(errors):
    text = "\n".join(errors)
    return "Could not find artifact" in text or "was not found in" in text


def _fetch_tarball(version, home, work_dir, log_path):
    """Fetch and unpack the bin tarball into `home`; return False if Maven Central lacks it."""
    artifact = "org.apache.cassandra:apache-cassandra:%s:tar.gz:bin" % version
    download_dir = work_dir / "download"
    download_dir.mkdir(parents=True, exist_ok=True)
    LOG.info("trying %s", artifact)
    ok, errors = _run_maven(
        ["%s:copy" % DEPENDENCY_PLUGIN, "-Dartifact=%s" % artifact,
         "-DoutputDirectory=%s" % download_dir, "-Dmdep.overWriteReleases=true"],
        log_path, work_dir)
    if not ok:
        if _is_missing_artifact(errors):
            LOG.info("Maven Central has no %s", artifact)
            return False
        raise LabError(
            "Maven failed while fetching %s:\n  %s\nCheck network access to Maven Central and "
            "~/.m2/settings.xml; the full Maven output is in %s"
            % (artifact, "\n  ".join(errors[-5:]) or "(no [ERROR] line)", log_path))

    tarball = download_dir / ("apache-cassandra-%s-bin.tar.gz" % version)
    unpack_dir = work_dir / "unpack"
    shutil.rmtree(unpack_dir, ignore_errors=True)
    unpack_dir.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        try:
            archive.extractall(unpack_dir, filter="data")
        except TypeError:
            # Python releases before the tarfile extraction filters (PEP 706).
            archive.extractall(unpack_dir)  # noqa: S202 - archive from Maven Central
    top_dirs = [path for path in unpack_dir.iterdir() if path.is_dir()]
    if len(top_dirs) != 1 or not (top_dirs[0] / "lib").is_dir():
        raise LabError("unexpected layout in %s: no single top directory with lib/" % tarball)
    shutil.rmtree(home, ignore_errors=True)
    top_dirs[0].rename(home)
    tarball.unlink()
    return True


ASSEMBLY_POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by the gdpr.gws lab: resolves the Cassandra server and its runtime dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>gdpr.gws.lab</groupId>
  <artifactId>cassandra-node</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>@@VERSION@@</version>
    </dependency>
  </dependencies>
</project>
"""


def _assemble_from_jars(version, home, work_dir, log_path):
    """Copy cassandra-all and its runtime dependencies into home/lib; False if the version is missing."""
    LOG.info("assembling Cassandra %s from org.apache.cassandra:cassandra-all and its dependencies", version)
    pom = work_dir / "pom.xml"
    # `version` matched VERSION_PATTERN, so it is safe to put into the XML as it is.
    pom.write_text(ASSEMBLY_POM.replace("@@VERSION@@", version), encoding="utf-8")
    lib_dir = work_dir / "lib"
    shutil.rmtree(lib_dir, ignore_errors=True)
    ok, errors = _run_maven(
        ["-f", str(pom), "%s:copy-dependencies" % DEPENDENCY_PLUGIN,
         "-DincludeScope=runtime", "-DoutputDirectory=%s" % lib_dir],
        log_path, work_dir)
    if not ok:
        if _is_missing_artifact(errors) and "cassandra-all" in "\n".join(errors):
            LOG.info("Maven Central has no org.apache.cassandra:cassandra-all:%s", version)
            return False
        raise LabError(
            "Maven failed while copying the dependencies of cassandra-all %s:\n  %s\n"
            "Check network access to Maven Central and ~/.m2/settings.xml; the full Maven output "
            "is in %s" % (version, "\n  ".join(errors[-5:]) or "(no [ERROR] line)", log_path))
    if not (lib_dir / ("cassandra-all-%s.jar" % version)).exists():
        raise LabError("Maven reported success but %s has no cassandra-all-%s.jar" % (lib_dir, version))
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    lib_dir.rename(home / "lib")
    return True


@contextlib.contextmanager
def _cache_lock(cache_dir):
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "w", encoding="utf-8") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def ensure_distribution(cache_dir, versions):
    """Return a cached Distribution, fetching or assembling one when none of `versions` is cached.

    Order: the newest cached candidate; else the bin tarball of each candidate, newest first;
    else cassandra-all of each candidate, newest first. Concurrent callers serialize on a lock
    file in the cache.
    """
    cache_dir = Path(cache_dir)
    with _cache_lock(cache_dir):
        for version in versions:
            cached = _cached_distribution(cache_dir, version)
            if cached is not None:
                LOG.info("using cached Cassandra %s (%s) from %s", version, cached.source, cached.home)
                return cached

        if shutil.which("mvn") is None:
            raise LabError(
                "mvn not found on PATH, and no Cassandra of versions %s is in the cache %s. The lab "
                "fetches Cassandra from Maven Central with Maven: install it (Debian: apt-get install "
                "maven) and run the command again." % (", ".join(versions), cache_dir))
        work_dir = cache_dir / "work"
        work_dir.mkdir(parents=True, exist_ok=True)
        log_path = cache_dir / "maven.log"
        LOG.info("fetching Cassandra with Maven (output in %s)", log_path)

        for fetch, source in ((_fetch_tarball, "apache-cassandra bin tarball"),
                              (_assemble_from_jars, "cassandra-all and its runtime dependencies")):
            for version in versions:
                home = cache_dir / ("cassandra-%s" % version)
                if fetch(version, home, work_dir, log_path):
                    marker = {"version": version, "source": source, "fetched_at": int(time.time())}
                    (home / "distribution.json").write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
                    LOG.info("cached Cassandra %s (%s) in %s", version, source, home)
                    return Distribution(version, home, source)

    raise LabError(
        "none of the Cassandra versions %s is on Maven Central, neither as the bin tarball nor as "
        "cassandra-all. Set CASSANDRA_VERSION to an existing 5.0.x release; Maven's output is in %s"
        % (", ".join(versions), cache_dir / "maven.log"))


# ---------------------------------------------------------------------------------------------
# Node: configuration, process, readiness.
# ---------------------------------------------------------------------------------------------

class NodeSettings:
    """Ports, paths and JVM options of one lab node."""

    def __init__(self, node_dir, cql_port=9042, storage_port=7000, jmx_port=7199, heap="1G",
                 java="java", extra_jvm_options=()):
        self.node_dir = Path(node_dir)
        self.cql_port = int(cql_port)
        self.storage_port = int(storage_port)
        self.jmx_port = int(jmx_port)
        self.heap = heap
        self.java = java
        self.extra_jvm_options = tuple(extra_jvm_options)

    @property
    def conf_dir(self):
        return self.node_dir / "conf"

    @property
    def data_dir(self):
        return self.node_dir / "data"

    @property
    def log_dir(self):
        return self.node_dir / "logs"

    @property
    def pid_file(self):
        return self.node_dir / "cassandra.pid"

    @property
    def stdout_file(self):
        return self.node_dir / "stdout.log"

    @property
    def system_log(self):
        return self.log_dir / "system.log"

    @property
    def config_url(self):
        return "file://%s/cassandra.yaml" % self.conf_dir

    def ports(self):
        """Return (description, port, environment variable) for each port the node binds."""
        return [
            ("CQL", self.cql_port, "GDPR_LAB_CQL_PORT"),
            ("storage", self.storage_port, "GDPR_LAB_STORAGE_PORT"),
            ("JMX", self.jmx_port, "GDPR_LAB_JMX_PORT"),
        ]


def check_ports_free(ports):
    """Raise LabError naming every (description, port, env var) that is already in use."""
    busy = [(name, port, env) for name, port, env in ports if port_in_use(port)]
    if busy:
        lines = ["port %d (%s, set by %s) on 127.0.0.1 is already in use" % (port, name, env)
                 for name, port, env in busy]
        raise LabError(
            "%s.\nStop the process that holds it, or start the lab on other ports, e.g. "
            "GDPR_LAB_CQL_PORT=19042 GDPR_LAB_STORAGE_PORT=17000 GDPR_LAB_JMX_PORT=17199 "
            "GDPR_LAB_GWS_PORT=18090 GDPR_LAB_DIR=/tmp/second-lab" % ";\n".join(lines))


def write_node_config(settings, secure_yaml=None):
    """Create a fresh node directory: conf/ from the templates, empty data/ and logs/.

    secure_yaml, when given, is the client_encryption_options block of the secure lab; the node
    then also uses PasswordAuthenticator and CassandraAuthorizer.
    """
    if settings.node_dir.exists():
        shutil.rmtree(settings.node_dir)
    for directory in (settings.conf_dir, settings.data_dir, settings.log_dir, settings.node_dir / "triggers"):
        directory.mkdir(parents=True)
    values = {
        "DATA_FILE_DIRECTORY": settings.data_dir / "data",
        "COMMITLOG_DIRECTORY": settings.data_dir / "commitlog",
        "SAVED_CACHES_DIRECTORY": settings.data_dir / "saved_caches",
        "HINTS_DIRECTORY": settings.data_dir / "hints",
        "CDC_RAW_DIRECTORY": settings.data_dir / "cdc_raw",
        "SEEDS": "127.0.0.1:%d" % settings.storage_port,
        "CQL_PORT": settings.cql_port,
        "STORAGE_PORT": settings.storage_port,
    }
    yaml_text = render_template((CONF_TEMPLATE_DIR / "cassandra.yaml").read_text(encoding="utf-8"), values)
    if secure_yaml:
        for plain, secure in (("authenticator: AllowAllAuthenticator", "authenticator: PasswordAuthenticator"),
                              ("authorizer: AllowAllAuthorizer", "authorizer: CassandraAuthorizer")):
            if plain not in yaml_text:
                raise LabError("conf/cassandra.yaml has no line '%s' to replace for the secure lab" % plain)
            yaml_text = yaml_text.replace(plain, secure)
        yaml_text = yaml_text.rstrip("\n") + "\n\n# Secure lab: client TLS with the lab CA.\n" + secure_yaml
    (settings.conf_dir / "cassandra.yaml").write_text(yaml_text, encoding="utf-8")
    for name in ("logback.xml", "logback-tools.xml"):
        shutil.copyfile(CONF_TEMPLATE_DIR / name, settings.conf_dir / name)


def daemon_command(settings, distribution):
    """Return the java command line that runs the node in the foreground."""
    heap = settings.heap
    command = [
        settings.java,
        "-Xms%s" % heap, "-Xmx%s" % heap,
        "-Xss256k",
        "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
        "-XX:G1HeapRegionSize=16m", "-XX:MaxGCPauseMillis=300",
        "-XX:+ExitOnOutOfMemoryError", "-XX:+PerfDisableSharedMem",
        "-Djava.net.preferIPv4Stack=true",
        "-Djdk.attach.allowAttachSelf=true",
    ]
    command += JDK17_MODULE_FLAGS
    command += [
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11",
        "-Dcassandra.config=%s" % settings.config_url,
        "-Dcassandra.storagedir=%s" % settings.data_dir,
        "-Dcassandra.logdir=%s" % settings.log_dir,
        "-Dcassandra.triggers_dir=%s" % (settings.node_dir / "triggers"),
        "-Dlogback.configurationFile=%s" % (settings.conf_dir / "logback.xml"),
        "-Dcassandra.jmx.local.port=%d" % settings.jmx_port,
        "-Dcassandra-foreground=yes",
    ]
    command += STARTUP_SPEED_PROPERTIES
    sigar_dir = distribution.lib_dir / "sigar-bin"
    if sigar_dir.is_dir():
        command.append("-Djava.library.path=%s" % sigar_dir)
    command += list(settings.extra_jvm_options)
    command += ["-cp", distribution.classpath(settings.conf_dir), DAEMON_CLASS]
    return command


def nodetool_command(settings, distribution, args):
    """Return the command line that runs nodetool against the node's JMX port."""
    command = [
        settings.java, "-Xmx128m", "-Djava.net.preferIPv4Stack=true",
        "-Dcassandra.storagedir=%s" % settings.data_dir,
        "-Dlogback.configurationFile=%s" % (settings.conf_dir / "logback-tools.xml"),
    ]
    command += JDK17_MODULE_FLAGS
    command += ["-cp", distribution.classpath(settings.conf_dir), NODETOOL_CLASS,
                "-h", "127.0.0.1", "-p", str(settings.jmx_port)]
    return command + list(args)


def process_alive(pid):
    """Return True if `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path("/proc/%d/stat" % pid).read_text(encoding="utf-8")
    except OSError:
        return True
    # The state letter follows the parenthesised command name.
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def process_matches(pid, markers):
    """Return True if the command line of `pid` contains every string in `markers`."""
    try:
        cmdline = Path("/proc/%d/cmdline" % pid).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    arguments = cmdline.split("\0")
    return all(any(marker in argument for argument in arguments) for marker in markers)


def read_pid(pid_file):
    """Return the pid stored in pid_file, or None when the file is missing or invalid."""
    try:
        return int(Path(pid_file).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def running_pid(pid_file, markers):
    """Return the pid in pid_file if that process is alive and is the one we started."""
    pid = read_pid(pid_file)
    if pid is None or not process_alive(pid):
        return None
    if not process_matches(pid, markers):
        LOG.warning("pid %d from %s belongs to another program; ignoring it", pid, pid_file)
        return None
    return pid


def node_markers(settings):
    return [DAEMON_CLASS, "-Dcassandra.config=%s" % settings.config_url]


def start_node(settings, distribution):
    """Start the node in a new session and write its pid file; return the Popen object."""
    command = daemon_command(settings, distribution)
    LOG.info("starting Cassandra %s: CQL 127.0.0.1:%d, storage %d, JMX %d, heap %s, data in %s",
             distribution.version, settings.cql_port, settings.storage_port, settings.jmx_port,
             settings.heap, settings.data_dir)
    with open(settings.stdout_file, "wb") as stdout:
        process = subprocess.Popen(
            command, cwd=str(settings.node_dir), stdin=subprocess.DEVNULL, stdout=stdout,
            stderr=subprocess.STDOUT, start_new_session=True)
    settings.pid_file.write_text("%d\n" % process.pid, encoding="utf-8")
    return process


def node_failure_details(settings):
    """Return the tails of the node's system.log and stdout for an error message."""
    return "--- last lines of %s ---\n%s\n--- last lines of %s ---\n%s" % (
        settings.system_log, tail_file(settings.system_log),
        settings.stdout_file, tail_file(settings.stdout_file, 15))


def wait_for_cql(settings, process, timeout, connect_options=None):
    """Wait until `SELECT release_version FROM system.local` returns; return the version.

    connect_options are extra Cluster arguments (authentication and TLS of the secure lab).
    Raises LabError when the process exits or `timeout` seconds pass, with the log tails.
    """
    # Imported here so that the fetch and stop paths work without the driver installed.
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable  # pylint: disable=import-outside-toplevel
    from cassandra.policies import WhiteListRoundRobinPolicy  # pylint: disable=import-outside-toplevel

    driver_logger = logging.getLogger("cassandra")
    previous_level = driver_logger.level
    driver_logger.setLevel(logging.CRITICAL)
    deadline = time.monotonic() + timeout
    last_error = "the CQL port was not open yet"
    try:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise LabError("Cassandra exited with code %s during start-up.\n%s"
                               % (process.returncode, node_failure_details(settings)))
            if port_in_use(settings.cql_port):
                profile = ExecutionProfile(load_balancing_policy=WhiteListRoundRobinPolicy(["127.0.0.1"]))
                cluster = Cluster(["127.0.0.1"], port=settings.cql_port, connect_timeout=5, protocol_version=5,
                                  execution_profiles={EXEC_PROFILE_DEFAULT: profile}, **(connect_options or {}))
                try:
                    session = cluster.connect()
                    row = session.execute("SELECT release_version FROM system.local", timeout=10).one()
                    return row.release_version
                except (NoHostAvailable, OSError) as exc:
                    last_error = str(exc)
                finally:
                    cluster.shutdown()
            time.sleep(1)
    finally:
        driver_logger.setLevel(previous_level)
    raise LabError("Cassandra did not respond to CQL on 127.0.0.1:%d within %d s (last error: %s). On a slow or "
                   "busy machine raise GDPR_LAB_START_TIMEOUT.\n%s"
                   % (settings.cql_port, timeout, last_error, node_failure_details(settings)))


def stop_process(pid, name, timeout):
    """Send SIGTERM to `pid`, wait up to `timeout` seconds, then SIGKILL; return how it ended."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return "already gone"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return "stopped"
        time.sleep(0.2)
    LOG.warning("%s (pid %d) did not stop within %d s after SIGTERM; sending SIGKILL", name, pid, timeout)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return "stopped"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return "killed"
        time.sleep(0.2)
    raise LabError("%s (pid %d) is still alive after SIGKILL" % (name, pid))


def stop_node(settings, timeout=60):
    """Stop the node started from settings.node_dir, if it runs; return a short status."""
    pid = running_pid(settings.pid_file, node_markers(settings))
    if pid is None:
        with contextlib.suppress(FileNotFoundError):
            settings.pid_file.unlink()
        return "not running"
    LOG.info("stopping Cassandra (pid %d)", pid)
    result = stop_process(pid, "Cassandra", timeout)
    with contextlib.suppress(FileNotFoundError):
        settings.pid_file.unlink()
    return result
