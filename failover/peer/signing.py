"""HMAC signatures of peer requests and responses: pure functions, no I/O."""

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

SITE_HEADER = "X-Failover-Site"
TIMESTAMP_HEADER = "X-Failover-Timestamp"
NONCE_HEADER = "X-Failover-Nonce"
SIGNATURE_HEADER = "X-Failover-Signature"

MAX_CLOCK_SKEW = 60.0
UNSIGNED_BODY = "UNSIGNED-STREAM"
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(Exception):
    """A request or response that must be refused; ``code`` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


def _mac(key: str, *parts: str) -> str:
    return hmac.new(key.encode(), "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_hex(16)


def request_signature(key, method, path, query, timestamp, nonce, site_id, digest) -> str:
    return _mac(
        key,
        "FAILOVER-V1-REQUEST",
        method.upper(),
        path,
        canonical_query(query),
        timestamp,
        nonce,
        site_id,
        digest,
    )


def response_signature(key, request_nonce, status, site_id, timestamp, digest) -> str:
    return _mac(key, "FAILOVER-V1-RESPONSE", request_nonce, str(status), site_id, timestamp, digest)


def sign_request(key, method, path, query, body: bytes, site_id: str, now: float) -> dict:
    timestamp, nonce = f"{now:.3f}", new_nonce()
    return {
        SITE_HEADER: site_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: request_signature(
            key, method, path, query, timestamp, nonce, site_id, body_digest(body)
        ),
    }


@dataclass(frozen=True)
class SignedRequest:
    site_id: str
    timestamp: float
    nonce: str


def verify_request(key, method, path, query, body: bytes, headers, now: float) -> SignedRequest:
    """Check a request's headers and signature. Raises SignatureError.

    The nonce is not checked here: the caller remembers it only after the
    signature verified, so forged requests cannot burn nonces.
    """
    values = {
        name: (headers.get(name) or "").strip()
        for name in (SITE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
    }
    if not all(values.values()):
        missing = ", ".join(name for name, value in values.items() if not value)
        raise SignatureError("unsigned", f"Missing peer authentication headers: {missing}.")
    try:
        site_id = str(uuid.UUID(values[SITE_HEADER]))
        timestamp = float(values[TIMESTAMP_HEADER])
    except ValueError:
        raise SignatureError("malformed", "Malformed site id or timestamp.") from None
    if not _NONCE.match(values[NONCE_HEADER]) or not _SIGNATURE.match(values[SIGNATURE_HEADER]):
        raise SignatureError("malformed", "Malformed nonce or signature.")
    expected = request_signature(
        key,
        method,
        path,
        query,
        values[TIMESTAMP_HEADER],
        values[NONCE_HEADER],
        values[SITE_HEADER],
        body_digest(body),
    )
    if not hmac.compare_digest(expected, values[SIGNATURE_HEADER]):
        raise SignatureError(
            "bad_signature", "Wrong signature: the sites do not share the same inter-site key."
        )
    if abs(now - timestamp) > MAX_CLOCK_SKEW:
        raise SignatureError(
            "stale",
            f"Request timestamp is {now - timestamp:+.0f} s off "
            f"(more than {MAX_CLOCK_SKEW:.0f} s): check both sites' clocks.",
        )
    return SignedRequest(site_id, timestamp, values[NONCE_HEADER])


def sign_response(key, request_nonce, status, site_id, body: bytes | None, now: float) -> dict:
    """Headers for a response; ``body=None`` for a streamed body (verified by its
    checksum from a signed manifest instead)."""
    timestamp = f"{now:.3f}"
    digest = UNSIGNED_BODY if body is None else body_digest(body)
    return {
        SITE_HEADER: site_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: response_signature(
            key, request_nonce, status, site_id, timestamp, digest
        ),
    }


def verify_response(key, request_nonce, status, headers, body: bytes | None) -> str:
    """Check a response's signature; returns the responder's site id."""
    site_id = headers.get(SITE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    digest = UNSIGNED_BODY if body is None else body_digest(body)
    expected = response_signature(key, request_nonce, status, site_id, timestamp, digest)
    if not signature or not hmac.compare_digest(expected, signature):
        raise SignatureError(
            "bad_response_signature", "The answer is not signed with our inter-site key."
        )
    return site_id
