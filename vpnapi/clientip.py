"""The address of the client behind a request, with X-Forwarded-For read only from trusted proxies."""

import ipaddress

from django.conf import settings

# Entries read from the right of X-Forwarded-For. Real chains of trusted
# proxies are a few hops long, and the bound keeps a huge header cheap.
MAX_FORWARDED_ENTRIES = 32


def parse_address(text):
    """Return the IP address in text, or None when text is not one.

    IPv4-mapped IPv6 addresses (::ffff:203.0.113.5) become IPv4, and the
    port some proxies add ("203.0.113.5:4711", "[2001:db8::1]:4711") is dropped.
    """
    text = text.strip()
    if text.startswith("["):
        text, bracket, port = text[1:].partition("]")
        if not bracket or not _is_port_suffix(port):
            return None
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
        if not _is_port_suffix(":" + port):
            return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_port_suffix(text):
    """Return whether text is empty or a colon followed by a port number."""
    return text == "" or (text.startswith(":") and text[1:].isascii() and text[1:].isdigit() and len(text) <= 6)


def is_trusted_proxy(address):
    return any(address in network for network in settings.TRUSTED_PROXIES if network.version == address.version)


def client_address(request):
    """Return the client's IP address, or None when the socket peer is not an IP address.

    The socket peer is the client unless it is a trusted proxy. Then the
    client is the right-most X-Forwarded-For entry that is not a trusted
    proxy, because entries further left were written by the client itself.
    If that entry is not an IP address, the header is ignored and the peer
    is returned.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not is_trusted_proxy(peer):
        return peer

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.rsplit(",", MAX_FORWARDED_ENTRIES)[-MAX_FORWARDED_ENTRIES:]):
        address = parse_address(entry)
        if address is None:
            return peer
        if not is_trusted_proxy(address):
            return address
    return peer
