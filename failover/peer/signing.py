"""HMAC signatures of peer requests and responses: pure functions, no I/O."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

SITE_HEADER = "X-Failover-Site"
TIMESTAMP_HEADER = "X-Failover-Timestamp"
NONCE_HEADER = "X-Failover-Nonce"
SIGNATURE_HEADER = "X-Failover-Signature"
# The receiver's site id, so a captured request cannot be replayed to another
# site holding the same key; UNBOUND before the sender knows it (pairing's
# first status call).
RECEIVER_HEADER = "X-Failover-To"
UNBOUND = "-"

MAX_CLOCK_SKEW = 60.0
UNSIGNED_BODY = "UNSIGNED-STREAM"
# Each signed header's exact form, checked before any other use of it: only
# ASCII reaches hmac.compare_digest, and only finite numbers the clock check.
_FORMATS = {
    SITE_HEADER: re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    TIMESTAMP_HEADER: re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?"),
    NONCE_HEADER: re.compile(r"[0-9a-f]{32}"),
    SIGNATURE_HEADER: re.compile(r"[0-9a-f]{64}"),
    RECEIVER_HEADER: re.compile(r"-|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}


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


def request_signature(key, method, path, query, timestamp, nonce, site_id, receiver, digest) -> str:
    return _mac(
        key,
        "FAILOVER-V2-REQUEST",
        method.upper(),
        path,
        canonical_query(query),
        timestamp,
        nonce,
        site_id,
        receiver,
        digest,
    )


def response_signature(key, request_nonce, status, site_id, timestamp, digest) -> str:
    return _mac(key, "FAILOVER-V2-RESPONSE", request_nonce, str(status), site_id, timestamp, digest)


def sign_request(
    key, method, path, query, body: bytes, site_id: str, now: float, receiver: str = UNBOUND
) -> dict:
    timestamp, nonce = f"{now:.3f}", new_nonce()
    return {
        SITE_HEADER: site_id,
        RECEIVER_HEADER: receiver,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: request_signature(
            key, method, path, query, timestamp, nonce, site_id, receiver, body_digest(body)
        ),
    }


@dataclass(frozen=True)
class SignedRequest:
    site_id: str
    receiver: str  # a site id, or UNBOUND
    timestamp: float
    nonce: str


def _signed_headers(headers, names, code: str, whose: str) -> dict[str, str]:
    """The named headers, each checked against its format. Raises
    SignatureError: ``unsigned`` when some are missing, else ``code``."""
    values = {name: (headers.get(name) or "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SignatureError(
            "unsigned", f"Missing peer authentication headers: {', '.join(missing)}."
        )
    for name, value in values.items():
        if not _FORMATS[name].fullmatch(value):
            raise SignatureError(code, f"Malformed {name} header in the {whose}.")
    return values


def verify_request(key, method, path, query, body: bytes, headers, now: float) -> SignedRequest:
    """Check a request's headers and signature. Raises SignatureError.

    The nonce is not checked here: the caller remembers it only after the
    signature verified, so forged requests cannot burn nonces.
    """
    if headers.get(SIGNATURE_HEADER) and not headers.get(RECEIVER_HEADER):
        raise SignatureError(
            "protocol",
            "The request is signed for an older peer protocol (without the receiver's "
            "site id): run the same product version on both sites.",
        )
    values = _signed_headers(
        headers,
        (SITE_HEADER, RECEIVER_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER),
        "malformed",
        "request",
    )
    expected = request_signature(
        key,
        method,
        path,
        query,
        values[TIMESTAMP_HEADER],
        values[NONCE_HEADER],
        values[SITE_HEADER],
        values[RECEIVER_HEADER],
        body_digest(body),
    )
    if not hmac.compare_digest(expected, values[SIGNATURE_HEADER]):
        raise SignatureError(
            "bad_signature", "Wrong signature: the sites do not share the same inter-site key."
        )
    timestamp = float(values[TIMESTAMP_HEADER])
    if abs(now - timestamp) > MAX_CLOCK_SKEW:
        raise SignatureError(
            "stale",
            f"Request timestamp is {now - timestamp:+.0f} s off "
            f"(more than {MAX_CLOCK_SKEW:.0f} s): check both sites' clocks.",
        )
    return SignedRequest(
        values[SITE_HEADER], values[RECEIVER_HEADER], timestamp, values[NONCE_HEADER]
    )


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
    """Check a response's headers and signature; returns the responder's site
    id. Raises SignatureError."""
    values = _signed_headers(
        headers, (SITE_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER), "malformed_response", "answer"
    )
    digest = UNSIGNED_BODY if body is None else body_digest(body)
    expected = response_signature(
        key, request_nonce, status, values[SITE_HEADER], values[TIMESTAMP_HEADER], digest
    )
    if not hmac.compare_digest(expected, values[SIGNATURE_HEADER]):
        raise SignatureError(
            "bad_response_signature", "The answer is not signed with our inter-site key."
        )
    return values[SITE_HEADER]
