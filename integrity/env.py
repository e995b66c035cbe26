"""Typed readers for the environment variables that configure the service.

Each reader raises ImproperlyConfigured naming the variable and the accepted
form, so a typo stops start-up instead of silently falling back to a default.
"""

import ipaddress
import os
import re
import zoneinfo

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


# The URL parsers of django-environ (version 0.14) are used for DATABASE_URL
# and CACHE_URL. Plain values are read from os.environ instead of Env.str,
# because Env.str treats a value that starts with "$" as the name of another
# variable, which would silently replace a random SECRET_KEY such as "$x...".
DATABASE_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _raw(name, default):
    return os.environ.get(name, default)


def read_bool(name, default):
    value = _raw(name, "true" if default else "false").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: set it to true or false.")


def read_str(name, default=None):
    value = _raw(name, default)
    if value is None:
        raise ImproperlyConfigured(f"{name} is not set: set it in the environment.")
    return value


def read_int(name, default, minimum=None, maximum=None):
    value = _raw(name, str(default)).strip()
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer: set a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: set at least {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large: set at most {maximum}.")
    return number


def read_list(name, default):
    value = _raw(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


def read_time_zone(name, default):
    value = _raw(name, default).strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone: use an IANA name such as UTC or Europe/Berlin."
        ) from None
    return value


def read_networks(name, default):
    networks = []
    for item in read_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} contains {item!r}, which is not an IP address or network: "
                "use a comma-separated list such as 10.0.0.1,192.168.0.0/24."
            ) from None
    return networks


def read_pool(name, default, version, min_size):
    """Read a tunnel address pool that must be an IPv4 or IPv6 network of a useful size."""
    value = _raw(name, default).strip()
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a network: use CIDR notation with the host bits zero, such as 10.64.0.0/10."
        ) from None
    if network.version != version:
        raise ImproperlyConfigured(f"{name}={value!r} is not an IPv{version} network.")
    if network.num_addresses < min_size:
        raise ImproperlyConfigured(f"{name}={value!r} is too small: use a network of at least {min_size} addresses.")
    return network


def _redact_url(url):
    """Return url with any password in it replaced by ***, for error messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def read_database(name, default):
    value = _raw(name, default)
    redacted = _redact_url(value)
    try:
        config = environ.Env.db_url_config(value)
    except (ImproperlyConfigured, KeyError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={redacted!r} is not a database URL: use sqlite:///path or postgres://user:password@host:port/name."
        ) from None
    if config.get("ENGINE") not in DATABASE_ENGINES:
        raise ImproperlyConfigured(f"{name}={redacted!r} names an unsupported database: use sqlite or postgres.")
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"{name}={redacted!r} names no database: add it to the path, as in postgres://user@host:5432/integrity."
        )
    return config


def read_cache(name, default):
    value = _raw(name, default)
    redacted = _redact_url(value)
    try:
        config = environ.Env.cache_url_config(value)
    except (ImproperlyConfigured, KeyError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={redacted!r} is not a cache URL: use locmemcache:// or redis://host:port/db."
        ) from None
    return config


def read_log_level(name, default):
    value = _raw(name, default).strip().upper()
    if value not in LOG_LEVELS:
        raise ImproperlyConfigured(f"{name}={value!r} is not a log level: use one of {', '.join(LOG_LEVELS)}.")
    return value
