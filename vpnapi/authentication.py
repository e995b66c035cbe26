import logging
from dataclasses import dataclass

from rest_framework import authentication, exceptions

from accounts import keys
from accounts.models import ApiKey, Reseller

logger = logging.getLogger(__name__)

# A real key is about 60 characters; longer headers are rejected before
# hashing so a client cannot make the server digest megabytes.
MAX_KEY_LENGTH = 200


@dataclass
class ApiCaller:
    """The caller of an API request: a reseller (through an API key) or a VPN server (through its node key)."""

    reseller: Reseller | None = None
    server: object | None = None
    key: object | None = None

    is_authenticated = True

    @property
    def throttle_id(self):
        kind = "node" if self.server is not None else "reseller"
        return f"{kind}:{self.key.pk}"


def read_key(request):
    """Return the key from the API-KEY header or an Authorization Bearer header, or None."""
    key = request.META.get("HTTP_API_KEY")
    if key:
        return key.strip()
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticate a reseller's API key or a VPN server's node key.

    Keys are looked up by their SHA-256 digest, so the plaintext is never
    stored, and the digests are compared again with hmac.compare_digest.
    A key in the query string is ignored on purpose: URLs end up in logs.
    """

    def authenticate(self, request):
        plaintext = read_key(request)
        if plaintext is None:
            return None
        if len(plaintext) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed("The API key is not valid: check the API-KEY header.")
        if plaintext.startswith("itg_node_"):
            caller = self._authenticate_node(plaintext)
        else:
            caller = self._authenticate_reseller(plaintext)
        return caller, caller.key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    def _authenticate_reseller(self, plaintext):
        digest = keys.digest_key(plaintext)
        api_key = ApiKey.objects.select_related("reseller").filter(digest=digest).first()
        if api_key is None or not keys.digests_match(api_key.digest, plaintext):
            raise exceptions.AuthenticationFailed("The API key is not valid: check the API-KEY header.")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("The API key has been revoked: use a current key.")
        if not api_key.is_usable():
            raise exceptions.AuthenticationFailed("The API key has expired: use a current key.")
        if not api_key.reseller.enabled:
            logger.info("Rejected API key %s of disabled reseller %s", api_key.prefix, api_key.reseller_id)
            raise exceptions.PermissionDenied("This reseller account is disabled: contact the provider.")
        api_key.touch()
        return ApiCaller(reseller=api_key.reseller, key=api_key)

    def _authenticate_node(self, plaintext):
        from vpnapi.models import VpnServer

        digest = keys.digest_key(plaintext)
        server = VpnServer.objects.filter(node_key_digest=digest).first()
        if server is None or not keys.digests_match(server.node_key_digest, plaintext):
            raise exceptions.AuthenticationFailed("The API key is not valid: check the API-KEY header.")
        if not server.enabled:
            raise exceptions.PermissionDenied("This VPN server is disabled: enable it in the admin.")
        return ApiCaller(server=server, key=server)
