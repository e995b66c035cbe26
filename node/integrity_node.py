"""Configuration, logging and HTTP calls shared by the Integrity node helpers.

The helpers run on VPN servers, so this module uses the Python standard
library only (3.11 or later) and needs no pip.

Configuration comes from an INI file, by default /etc/integrity/node.conf
(the INTEGRITY_NODE_CONFIG environment variable or a --config option names
another), and the environment variables below override the file:

    [integrity]
    api_url = https://integrity.example.com/
    node_key = itg_node_...
    timeout = 5

The file contains the node key, so it must be readable by root only (or by the
group OpenVPN runs its scripts as). No helper ever logs the key or a password.
"""

import configparser
import http.client
import json
import logging
import logging.handlers
import os
import signal
import ssl
import stat
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_CONFIG_PATH = "/etc/integrity/node.conf"
CONFIG_PATH_VARIABLE = "INTEGRITY_NODE_CONFIG"
SECTION = "integrity"

# Setting name in the file -> environment variable that overrides it.
ENVIRONMENT_OVERRIDES = {
    "api_url": "INTEGRITY_API_URL",
    "node_key": "INTEGRITY_NODE_KEY",
    "timeout": "INTEGRITY_API_TIMEOUT",
    "ca_file": "INTEGRITY_CA_FILE",
    "log": "INTEGRITY_LOG",
    "openvpn_state_file": "INTEGRITY_OPENVPN_STATE_FILE",
}

DEFAULT_TIMEOUT = 5.0
# OpenVPN waits for its scripts, so a larger value would stall every client.
MAX_TIMEOUT = 60.0
DEFAULT_OPENVPN_STATE_FILE = "/var/lib/integrity/openvpn-sessions.json"
NODE_KEY_PREFIX = "itg_node_"
USER_AGENT = "integrity-node/1.0"

logger = logging.getLogger("integrity-node")


class ConfigError(Exception):
    """A missing or invalid setting; the message names it and the fix."""


class ApiUnavailable(Exception):
    """The API could not be reached or did not respond within the timeout."""


@dataclass(frozen=True)
class Config:
    api_url: str
    node_key: str
    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None
    log: str = "stderr"
    openvpn_state_file: str = DEFAULT_OPENVPN_STATE_FILE

    def __repr__(self):
        # Keeps the node key out of tracebacks and debug output.
        return f"Config(api_url={self.api_url!r}, node_key='{NODE_KEY_PREFIX}...', timeout={self.timeout})"


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: object

    @property
    def error_code(self):
        """Return the API's error code ("invalid_credentials", ...) or None."""
        if isinstance(self.body, dict):
            return self.body.get("error")
        return None


def load_config(path=None, environ=None):
    """Return the Config from the config file and the environment, which overrides the file.

    Raises ConfigError naming the first missing or invalid setting.
    """
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_PATH_VARIABLE) or DEFAULT_CONFIG_PATH
    values = _read_config_file(path, required=path != DEFAULT_CONFIG_PATH or not _has_required_variables(environ))
    for name, variable in ENVIRONMENT_OVERRIDES.items():
        if environ.get(variable):
            values[name] = environ[variable]

    api_url = values.get("api_url", "").strip()
    node_key = values.get("node_key", "").strip()
    if not api_url:
        raise ConfigError(f"api_url is missing: set it in {path} or in INTEGRITY_API_URL.")
    if urllib.parse.urlsplit(api_url).scheme not in ("http", "https"):
        raise ConfigError(f"api_url {api_url!r} is not an http:// or https:// URL: use the service's base URL.")
    if not node_key:
        raise ConfigError(f"node_key is missing: set it in {path} or in INTEGRITY_NODE_KEY.")
    if not node_key.startswith(NODE_KEY_PREFIX):
        raise ConfigError(
            f"node_key does not start with {NODE_KEY_PREFIX}: use the NODE-KEY that createserver printed."
        )

    return Config(
        api_url=api_url.rstrip("/") + "/",
        node_key=node_key,
        timeout=_parse_timeout(values.get("timeout")),
        ca_file=values.get("ca_file") or None,
        log=_parse_log_target(values.get("log")),
        openvpn_state_file=values.get("openvpn_state_file") or DEFAULT_OPENVPN_STATE_FILE,
    )


def _has_required_variables(environ):
    return bool(environ.get("INTEGRITY_API_URL") and environ.get("INTEGRITY_NODE_KEY"))


def _read_config_file(path, required):
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as config_file:
            mode = os.fstat(config_file.fileno()).st_mode
            parser.read_file(config_file)
    except FileNotFoundError:
        if required:
            raise ConfigError(
                f"The config file {path} does not exist: create it or set INTEGRITY_API_URL and INTEGRITY_NODE_KEY."
            ) from None
        return {}
    except OSError as error:
        raise ConfigError(f"The config file {path} cannot be read: {error.strerror}.") from None
    except configparser.Error as error:
        raise ConfigError(f"The config file {path} is not valid INI: {error}") from None

    if not parser.has_section(SECTION):
        raise ConfigError(f"The config file {path} has no [{SECTION}] section: put the settings under it.")
    if mode & stat.S_IROTH:
        logger.warning("The config file %s is readable by every user: run chmod o-rwx on it.", path)
    return dict(parser.items(SECTION))


def _parse_timeout(value):
    if value is None or value == "":
        return DEFAULT_TIMEOUT
    try:
        timeout = float(value)
    except ValueError:
        raise ConfigError(f"timeout {value!r} is not a number: give the seconds, for example 5.") from None
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ConfigError(f"timeout {value!r} is out of range: give more than 0 and at most {MAX_TIMEOUT:g} seconds.")
    return timeout


def _parse_log_target(value):
    target = (value or "stderr").strip().lower()
    if target not in ("stderr", "syslog"):
        raise ConfigError(f"log {value!r} is not valid: use stderr or syslog.")
    return target


def setup_logging(program, target="stderr"):
    """Send the helpers' log lines to stderr (OpenVPN's log, the journal) or to syslog."""
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if target == "syslog" and os.path.exists("/dev/log"):
        handler = logging.handlers.SysLogHandler(address="/dev/log", facility=logging.handlers.SysLogHandler.LOG_AUTH)
        handler.setFormatter(logging.Formatter(f"{program}[%(process)d]: %(message)s"))
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(f"{program}: %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def printable(value):
    """Return value with control characters escaped, so a client-chosen name cannot forge log lines."""
    return repr(str(value))


@contextmanager
def deadline(seconds):
    """Raise ApiUnavailable when the block runs longer than seconds.

    urllib's timeout applies to each socket operation and not to name
    resolution, so this alarm bounds the whole call. It works only in the
    main thread, which is where the helpers make their calls.
    """

    def expire(signum, frame):
        raise ApiUnavailable(f"timed out after {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_api(config, method, path, body=None):
    """Send one request with the node key and return the ApiResponse, whatever its status.

    Raises ApiUnavailable when the request fails before an HTTP status
    arrives (refused connection, DNS failure, TLS error, timeout).
    """
    url = urllib.parse.urljoin(config.api_url, path.lstrip("/"))
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("API-KEY", config.node_key)
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    context = ssl.create_default_context(cafile=config.ca_file) if url.startswith("https:") else None
    opener = urllib.request.build_opener(_RejectRedirects, urllib.request.HTTPSHandler(context=context))

    # A little more than the socket timeout, so that urllib's own timeout
    # reports a slow read and the alarm only catches what it does not cover.
    with deadline(config.timeout + 1):
        try:
            with opener.open(request, timeout=config.timeout) as response:
                return ApiResponse(response.status, _parse_json(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                return ApiResponse(error.code, _parse_json(error.read()))
        except urllib.error.URLError as error:
            raise ApiUnavailable(f"request to {url} failed: {error.reason}") from None
        except (OSError, http.client.HTTPException) as error:
            raise ApiUnavailable(f"request to {url} failed: {error}") from None


class _RejectRedirects(urllib.request.HTTPRedirectHandler):
    """Return a redirect as an error response instead of following it.

    urllib would repeat the request at the new address with the API-KEY
    header, even on another host, and would turn a POST into a GET.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _parse_json(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None
