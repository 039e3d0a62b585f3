# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the lab launcher's pure helpers: versions, templates, command lines, ports."""

import os
import socket
from pathlib import Path

import pytest
import yaml

import cassandra_node
import lab as lab_driver


def test_version_candidates_default_newest_first():
    versions = cassandra_node.version_candidates(None)
    assert versions[0] == "5.0.9"
    assert versions == sorted(versions, key=lambda v: [int(part) for part in v.split(".")], reverse=True)


@pytest.mark.parametrize("value, expected", [
    ("5.0.8", ["5.0.8"]),
    ("5.0.9,5.0.8", ["5.0.9", "5.0.8"]),
    (" 5.0.9  5.0.7 ", ["5.0.9", "5.0.7"]),
    ("", list(cassandra_node.DEFAULT_VERSIONS)),
])
def test_version_candidates_override(value, expected):
    assert cassandra_node.version_candidates(value) == expected


@pytest.mark.parametrize("value", ["5.0", "latest", "5.0.9;rm -rf /", "../5.0.9"])
def test_version_candidates_reject_invalid(value):
    with pytest.raises(cassandra_node.LabError):
        cassandra_node.version_candidates(value)


@pytest.mark.parametrize("output, major", [
    ('openjdk version "17.0.15" 2025-04-15', 17),
    ('java version "1.8.0_392"', 8),
    ('openjdk version "11.0.2" 2019-01-15', 11),
    ("no version here", None),
])
def test_parse_java_major(output, major):
    assert cassandra_node.parse_java_major(output) == major


def test_render_template_rejects_missing_value():
    with pytest.raises(cassandra_node.LabError) as error:
        cassandra_node.render_template('port: "@@CQL_PORT@@"\nother: "@@OTHER@@"', {"CQL_PORT": 1})
    assert "OTHER" in str(error.value)


def test_render_template_writes_yaml_scalars():
    text = 'port: "@@PORT@@"\npath: "@@PATH@@"\n'
    rendered = cassandra_node.render_template(text, {"PORT": 19042, "PATH": Path('/tmp/a "b"')})
    assert yaml.safe_load(rendered) == {"port": 19042, "path": '/tmp/a "b"'}


def test_cassandra_yaml_template_is_valid_yaml():
    template = yaml.safe_load((cassandra_node.CONF_TEMPLATE_DIR / "cassandra.yaml").read_text(encoding="utf-8"))
    assert template["native_transport_port"] == "@@CQL_PORT@@"


def test_cassandra_yaml_template_renders(tmp_path):
    settings = cassandra_node.NodeSettings(tmp_path / "node", cql_port=19042, storage_port=17000, jmx_port=17199)
    cassandra_node.write_node_config(settings)
    config = yaml.safe_load((settings.conf_dir / "cassandra.yaml").read_text(encoding="utf-8"))
    assert config["native_transport_port"] == 19042
    assert config["storage_port"] == 17000
    assert config["num_tokens"] == 16
    assert config["auto_snapshot"] is False
    assert config["listen_address"] == "127.0.0.1"
    assert config["rpc_address"] == "127.0.0.1"
    assert config["seed_provider"][0]["parameters"][0]["seeds"] == "127.0.0.1:17000"
    assert config["data_file_directories"] == [str(settings.data_dir / "data")]
    assert (settings.conf_dir / "logback.xml").exists()


def test_write_node_config_starts_fresh(tmp_path):
    settings = cassandra_node.NodeSettings(tmp_path / "node")
    cassandra_node.write_node_config(settings)
    leftover = settings.data_dir / "old-sstable"
    leftover.write_text("x", encoding="utf-8")
    cassandra_node.write_node_config(settings)
    assert not leftover.exists()


def test_daemon_command_has_lab_settings(tmp_path):
    settings = cassandra_node.NodeSettings(tmp_path / "node", cql_port=19042, jmx_port=17199, heap="1G",
                                           extra_jvm_options=["-Dextra=1"])
    distribution = cassandra_node.Distribution("5.0.9", tmp_path / "dist", "test")
    command = cassandra_node.daemon_command(settings, distribution)
    assert command[-1] == cassandra_node.DAEMON_CLASS
    assert "-Xmx1G" in command
    assert "-Xms1G" in command
    assert "-Dcassandra.jmx.local.port=17199" in command
    assert "-Dcassandra.config=file://%s/cassandra.yaml" % settings.conf_dir in command
    for flag in cassandra_node.STARTUP_SPEED_PROPERTIES:
        assert flag in command
    assert "java.base/java.lang=ALL-UNNAMED" in command
    assert command.index("-Dextra=1") < command.index("-cp")
    assert command[command.index("-cp") + 1] == "%s:%s/lib/*" % (settings.conf_dir, tmp_path / "dist")


def test_nodetool_command_targets_jmx_port(tmp_path):
    settings = cassandra_node.NodeSettings(tmp_path / "node", jmx_port=17199)
    distribution = cassandra_node.Distribution("5.0.9", tmp_path / "dist", "test")
    command = cassandra_node.nodetool_command(settings, distribution, ["status"])
    assert command[command.index(cassandra_node.NODETOOL_CLASS):] == [
        cassandra_node.NODETOOL_CLASS, "-h", "127.0.0.1", "-p", "17199", "status"]


def test_port_in_use_detects_listener():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        assert cassandra_node.port_in_use(port)


def test_port_in_use_free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not cassandra_node.port_in_use(port)


def test_check_ports_free_names_variable():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(cassandra_node.LabError) as error:
            cassandra_node.check_ports_free([("CQL", port, "GDPR_LAB_CQL_PORT")])
    assert "GDPR_LAB_CQL_PORT" in str(error.value)
    assert str(port) in str(error.value)


def test_process_matches_own_command_line():
    assert cassandra_node.process_matches(os.getpid(), [""])
    assert not cassandra_node.process_matches(os.getpid(), ["org.apache.cassandra.service.CassandraDaemon"])


def test_running_pid_ignores_missing_and_foreign_pid(tmp_path):
    pid_file = tmp_path / "x.pid"
    assert cassandra_node.running_pid(pid_file, ["anything"]) is None
    pid_file.write_text("%d\n" % os.getpid(), encoding="utf-8")
    assert cassandra_node.running_pid(pid_file, ["no-such-marker-in-cmdline"]) is None


def test_tail_file_returns_last_lines(tmp_path):
    log = tmp_path / "system.log"
    log.write_text("".join("line %d\n" % number for number in range(100)), encoding="utf-8")
    assert cassandra_node.tail_file(log, 2) == "line 98\nline 99"
    assert "does not exist" in cassandra_node.tail_file(tmp_path / "missing.log")


def test_schema_file_splits_into_keyspace_and_three_tables():
    text = Path(lab_driver.SCHEMA_FILE).read_text(encoding="utf-8")
    statements = lab_driver.schema_statements(text)
    assert len(statements) == 4
    assert statements[0].startswith("CREATE KEYSPACE IF NOT EXISTS sipfs")
    assert [statement.split()[5] for statement in statements[1:]] == [
        "sipfs.settings", "sipfs.settings_groups", "sipfs.users"]
    assert all("--" not in statement for statement in statements)


def test_lab_config_defaults_and_overrides(tmp_path):
    config = lab_driver.LabConfig({"GDPR_LAB_DIR": str(tmp_path), "GDPR_LAB_CQL_PORT": "19042"})
    assert config.lab_dir == tmp_path.resolve()
    assert config.cql_port == 19042
    assert config.storage_port == 7000
    assert config.jmx_port == 7199
    assert config.gws_port == 8090
    assert config.start_timeout == 180


def test_lab_config_default_dir_is_repo_dot_lab():
    config = lab_driver.LabConfig({})
    assert config.lab_dir == (Path(lab_driver.__file__).resolve().parent.parent.parent / ".lab")


@pytest.mark.parametrize("environ", [
    {"GDPR_LAB_CQL_PORT": "x"},
    {"GDPR_LAB_CQL_PORT": "70000"},
    {"GDPR_LAB_CQL_PORT": "7000"},
    {"GDPR_LAB_START_TIMEOUT": "soon"},
])
def test_lab_config_rejects_invalid_values(environ):
    with pytest.raises(cassandra_node.LabError):
        lab_driver.LabConfig(environ)
