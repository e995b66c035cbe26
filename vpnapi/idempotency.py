"""Replaying the first response to a retried create request.

A billing system that times out and retries sends the same Idempotency-Key
header. For IDEMPOTENCY_WINDOW the same key and body get the stored response
instead of creating a second user; the same key with another body gets 409.
"""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vpnapi.errors import bad_request, conflict
from vpnapi.models import IdempotencyRecord

IDEMPOTENCY_WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def read_idempotency_key(request):
    key = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise bad_request(
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, "
            "such as a UUID: send a new random value for each new request."
        )
    return key


def _cipher(key):
    secret = hmac.new(settings.SECRET_KEY.encode(), b"idempotency\0" + key.encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(secret))


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _request_digest(data):
    return _digest(json.dumps(data, sort_keys=True, default=str))


class Replay(Exception):
    """Raised to return a stored response instead of running the request again."""

    def __init__(self, status_code, body):
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


def find_previous(reseller, key, data):
    """Raise Replay with the stored response for key, or conflict if the body differs; else return."""
    cutoff = timezone.now() - IDEMPOTENCY_WINDOW
    record = IdempotencyRecord.objects.filter(reseller=reseller, key_digest=_digest(key), created_at__gt=cutoff).first()
    if record is None:
        return
    _replay(record, key, data)


def _replay(record, key, data):
    if record.request_digest != _request_digest(data):
        raise conflict(
            "This Idempotency-Key was already used with a different request body: use a new key for a new request."
        )
    try:
        body = json.loads(_cipher(key).decrypt(bytes(record.encrypted_body)))
    except InvalidToken:
        raise conflict("The stored response for this Idempotency-Key cannot be read: use a new key.") from None
    raise Replay(record.status_code, body)


def remember(reseller, key, data, status_code, body):
    """Store the response for key in the caller's transaction.

    The unique constraint on (reseller, key) decides between two concurrent
    requests with the same key: the loser's transaction is rolled back and it
    gets the winner's response, so only one user is created.
    """
    key_digest = _digest(key)
    cutoff = timezone.now() - IDEMPOTENCY_WINDOW
    IdempotencyRecord.objects.filter(reseller=reseller, key_digest=key_digest, created_at__lte=cutoff).delete()
    encrypted = _cipher(key).encrypt(json.dumps(body).encode())
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                reseller=reseller,
                key_digest=key_digest,
                request_digest=_request_digest(data),
                status_code=status_code,
                encrypted_body=encrypted,
            )
    except IntegrityError:
        return False
    return True


def replay_winner(reseller, key, data):
    record = IdempotencyRecord.objects.filter(reseller=reseller, key_digest=_digest(key)).first()
    if record is not None:
        _replay(record, key, data)


def purge_expired(now=None):
    """Delete every stored response older than IDEMPOTENCY_WINDOW and return the number deleted."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_WINDOW
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=cutoff).delete()
    return deleted
