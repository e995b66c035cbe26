"""Generation and lookup digests for API secrets (reseller and node keys).

A key is shown once, when it is made. The database keeps its SHA-256 digest
for lookup and a short prefix so people can tell keys apart in lists.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

# 32 random bytes (256 bits) rendered as 43 URL-safe characters.
SECRET_BYTES = 32
DISPLAY_PREFIX_LENGTH = 12


@dataclass(frozen=True)
class NewKey:
    plaintext: str
    prefix: str
    digest: str


def digest_key(plaintext):
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def generate_key(kind):
    """Return a new random key such as ``itg_live_...`` with its prefix and digest."""
    plaintext = f"itg_{kind}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewKey(
        plaintext=plaintext,
        prefix=plaintext[: len(f"itg_{kind}_") + 6],
        digest=digest_key(plaintext),
    )


def digests_match(stored_digest, plaintext):
    return hmac.compare_digest(stored_digest, digest_key(plaintext))
