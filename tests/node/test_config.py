import logging

import integrity_node
import pytest

NODE_KEY = "itg_node_0123456789abcdef"


def write(path, text, mode=0o600):
    path.write_text(text)
    path.chmod(mode)
    return path


def test_load_config_reads_file(tmp_path):
    path = write(
        tmp_path / "node.conf",
        f"[integrity]\napi_url = https://integrity.example/api\nnode_key = {NODE_KEY}\ntimeout = 2.5\n",
    )

    config = integrity_node.load_config(str(path), environ={})

    assert config.api_url == "https://integrity.example/api/"
    assert config.node_key == NODE_KEY
    assert config.timeout == 2.5
    assert config.log == "stderr"
    assert config.openvpn_state_file == "/var/lib/integrity/openvpn-sessions.json"


def test_load_config_environment_overrides_file(tmp_path):
    path = write(tmp_path / "node.conf", f"[integrity]\napi_url = https://old.example/\nnode_key = {NODE_KEY}\n")
    environ = {"INTEGRITY_NODE_CONFIG": str(path), "INTEGRITY_API_URL": "http://127.0.0.1:8000"}

    config = integrity_node.load_config(environ=environ)

    assert config.api_url == "http://127.0.0.1:8000/"
    assert config.node_key == NODE_KEY


def test_load_config_from_environment_alone():
    environ = {"INTEGRITY_API_URL": "https://integrity.example/", "INTEGRITY_NODE_KEY": NODE_KEY}

    config = integrity_node.load_config(environ=environ)

    assert config.api_url == "https://integrity.example/"
    assert config.node_key == NODE_KEY


def test_config_repr_hides_node_key(tmp_path):
    config = integrity_node.Config(api_url="https://integrity.example/", node_key=NODE_KEY)

    assert NODE_KEY not in repr(config)


URL_LINE = "api_url = https://integrity.example/\n"
KEY_LINE = f"node_key = {NODE_KEY}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[other]\n" + URL_LINE + KEY_LINE, "has no \\[integrity\\] section"),
        ("api_url = x\n", "is not valid INI: File contains no section headers"),
        ("[integrity]\n" + KEY_LINE, "api_url is missing"),
        ("[integrity]\napi_url = ftp://integrity.example/\n" + KEY_LINE, "is not an http:// or https:// URL"),
        ("[integrity]\n" + URL_LINE, "node_key is missing"),
        ("[integrity]\n" + URL_LINE + "node_key = itg_reseller\n", "does not start with itg_node_"),
        ("[integrity]\n" + URL_LINE + KEY_LINE + "timeout = 0\n", "timeout '0' is out of range"),
        ("[integrity]\n" + URL_LINE + KEY_LINE + "timeout = soon\n", "timeout 'soon' is not a number"),
        ("[integrity]\n" + URL_LINE + KEY_LINE + "log = file\n", "log 'file' is not valid"),
    ],
)
def test_load_config_rejects_bad_settings(tmp_path, text, message):
    path = write(tmp_path / "node.conf", text)

    with pytest.raises(integrity_node.ConfigError, match=message):
        integrity_node.load_config(str(path), environ={})


def test_load_config_rejects_missing_file(tmp_path):
    with pytest.raises(integrity_node.ConfigError, match="does not exist"):
        integrity_node.load_config(str(tmp_path / "missing.conf"), environ={})


def test_load_config_warns_about_world_readable_file(tmp_path, caplog, monkeypatch):
    path = write(tmp_path / "node.conf", "[integrity]\n" + URL_LINE + KEY_LINE, 0o644)
    monkeypatch.setattr(integrity_node.logger, "propagate", True)

    with caplog.at_level(logging.WARNING, logger="integrity-node"):
        integrity_node.load_config(str(path), environ={})

    assert caplog.messages == [f"The config file {path} is readable by every user: run chmod o-rwx on it."]


def test_printable_escapes_control_characters():
    assert integrity_node.printable("alice\nforged line") == "'alice\\nforged line'"
