"""Run every curl example of docs/api.md against a live test server.

Each ```sh block that starts with curl must be followed by a line naming the
status, such as "Response (HTTP 200):", and a ```json block with the
response. The examples run in document order, on a database holding the
users the document introduces, and each response must have the documented
status and the same shape: the same keys, with values of the same JSON types.
"""

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from accounts.models import AccountType
from vpnapi.models import ExitAddress, VpnServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
DOC_HOST = "http://127.0.0.1:8000"
DOC_KEY = "$API_KEY"
DOC_NODE_KEY = "$NODE_KEY"

FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
STATUS_LINE = re.compile(r"Response \(HTTP (\d{3})\):\s*$")


@dataclass
class Example:
    line: int
    command: str
    status: int
    body: object

    def __str__(self):
        return f"docs/api.md line {self.line}: {self.command.splitlines()[0]}"


def parse_examples(text):
    """Return the curl examples of a Markdown text with their documented responses."""
    examples = []
    blocks = list(FENCE.finditer(text))
    for block, following in zip(blocks, blocks[1:] + [None], strict=True):
        language, content = block.group(1), block.group(2)
        if language != "sh" or not content.lstrip().startswith("curl "):
            continue
        line = text.count("\n", 0, block.start()) + 1
        between = text[block.end() : following.start()] if following else ""
        status = STATUS_LINE.search(between)
        if following is None or following.group(1) != "json" or status is None:
            raise AssertionError(
                f"docs/api.md line {line}: a curl example needs 'Response (HTTP nnn):' and a json block"
            )
        examples.append(Example(line, content, int(status.group(1)), json.loads(following.group(2))))
    return examples


def parse_curl(command):
    """Return (method, url, headers, body) of a curl command line.

    Only the options the document uses are understood. Any other option
    fails the test, so an example never relies on something the test skipped.
    """
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "curl", command
    method, url, headers, body = None, None, {}, None
    position = 1
    while position < len(words):
        word = words[position]
        if word == "-s":
            position += 1
            continue
        if word in ("-X", "-H", "-d"):
            value = words[position + 1]
            if word == "-X":
                method = value
            elif word == "-H":
                name, _, header_value = value.partition(":")
                headers[name.strip()] = header_value.strip()
            else:
                body = value
            position += 2
            continue
        assert not word.startswith("-"), f"unsupported curl option {word} in {command!r}"
        assert url is None, f"two URLs in {command!r}"
        url = word
        position += 1
    return method or ("POST" if body is not None else "GET"), url, headers, body


def shape(value):
    """Return the JSON shape of value: key names and value types, with lists reduced to their first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def test_document_has_examples():
    examples = parse_examples(DOC.read_text(encoding="utf-8"))

    assert len(examples) >= 10


def test_parse_curl_reads_method_headers_and_body():
    command = """curl -s -X PUT "http://127.0.0.1:8000/1.0/User/alice" \\
  -H "API-KEY: $API_KEY" \\
  -d '{"enable": false}'"""

    method, url, headers, body = parse_curl(command)

    assert method == "PUT"
    assert url == "http://127.0.0.1:8000/1.0/User/alice"
    assert headers == {"API-KEY": "$API_KEY"}
    assert body == '{"enable": false}'


def test_shape_compares_keys_and_types():
    assert shape([{"a": 1, "b": [{"c": None}], "d": "x", "e": True}]) == [
        {"a": "number", "b": [{"c": "null"}], "d": "string", "e": "boolean"}
    ]


@pytest.fixture
def node_key(db):
    """Create the VPN server of the examples, whose exit address is the test client's; return its node key."""
    server = VpnServer.objects.create(name="se-sto-1", hostname="se-sto-1.vpn.example", country="SE")
    ExitAddress.objects.create(server=server, address="127.0.0.1")
    return server.issue_node_key()


@pytest.fixture
def documented_users(make_user):
    """Create the users the document's examples start from."""
    make_user("alice", password="correct-horse-7", note="Order 1042")
    make_user("bob", password="battery-staple-9", enable=False, account_type=AccountType.LEX)


# Sequences restart at 1, so the ids in the examples' paths name the same rows.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_curl_examples_match_responses(live_server, api_key, node_key, documented_users):
    examples = parse_examples(DOC.read_text(encoding="utf-8"))

    with requests.Session() as session:
        for example in examples:
            method, url, headers, body = parse_curl(example.command)
            url = url.replace(DOC_HOST, live_server.url)
            headers = {
                name: value.replace(DOC_NODE_KEY, node_key).replace(DOC_KEY, api_key) for name, value in headers.items()
            }
            response = session.request(method, url, headers=headers, data=body.encode() if body else None)

            assert response.status_code == example.status, f"{example}: {response.text}"
            assert shape(response.json()) == shape(example.body), f"{example}: {response.text}"
