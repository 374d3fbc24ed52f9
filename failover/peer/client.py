"""Signed calls to the peer site, over TLS with a verified certificate (or
plain HTTP when ``FAILOVER_ALLOW_INSECURE_PEER`` allows it for loopback)."""

import json
import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings

from failover.domain.peer_report import report_problem
from failover.models import InterSiteKey, SiteState
from failover.peer.signing import (
    NONCE_HEADER,
    UNBOUND,
    SignatureError,
    sign_request,
    verify_response,
)

API_PREFIX = "/api/peer/v1/"
# Operations (pairing, swaps, syncs, break) are rare and interactive, and the
# other site may be busy or have just started: their calls get more time
# than a health check's (FAILOVER_PEER_TIMEOUT, well under the interval).
OPERATION_TIMEOUT = 5.0
log = logging.getLogger(__name__)


class PeerError(Exception):
    """A peer call that failed; the message is fit to show an administrator."""


class PeerUnreachable(PeerError):
    pass


class PeerTLSError(PeerError):
    pass


class PeerAnswerInvalid(PeerError):
    pass


class PeerRefused(PeerError):
    """The peer answered and said no; ``code`` is its machine-readable reason."""

    def __init__(self, message: str, code: str, status: int):
        super().__init__(message)
        self.code = code
        self.status = status


def _reason(error: requests.RequestException, timeout: float) -> str:
    """One fixed reason per class of failure. Which of refused, reset or
    closed it was stays in the log: told to the page, it would make the
    console a port scanner of the networks it reaches."""
    text = str(error)
    if isinstance(error, requests.ConnectTimeout):
        return f"connection timed out after {timeout:g} s"
    if isinstance(error, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "host name not found"
    return "could not connect"


# What a refusal (403) means, by its code: an unsigned answer, so its own
# text is never shown (it may come from anything at the peer's address).
REFUSAL_REASONS = {
    "unsigned": "the request was not signed",
    "malformed": "the request's signature headers were malformed",
    "bad_signature": "the signature did not verify: the sites do not share the same key",
    "stale": "the request's time was too far off: check both sites' clocks",
    "replayed": "the request was a replay",
    "unknown_site": "it is in a failover relationship with another site",
    "plaintext": "it refuses plain HTTP (turn TLS on, or FAILOVER_ALLOW_INSECURE_PEER)",
    "no_key": "it has no inter-site key",
    "protocol": "it speaks another version of the peer protocol",
    "wrong_receiver": "the request was signed for another site",
}


def _code_of(response: requests.Response) -> str:
    """The machine-readable code of an error answer, or "error"."""
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        return "error"
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, str) and code in REFUSAL_REASONS else "error"


def _signed_refusal(response: requests.Response) -> tuple[str, str]:
    """The (code, message) of a signed business refusal: written by a site
    holding the inter-site key, so shown as it is, within bounds."""
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    fallback = f"HTTP {response.status_code}"
    if not isinstance(payload, dict):
        return "error", fallback
    code, message = payload.get("code"), payload.get("error")
    return (
        code[:40] if isinstance(code, str) and code else "error",
        message[:500] if isinstance(message, str) and message else fallback,
    )


class PeerClient:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        expected_site_id: str | None = None,
        timeout: float | None = None,
    ):
        self.host = host
        self.port = port
        self.expected_site_id = expected_site_id
        self.timeout = timeout or settings.FAILOVER_PEER_TIMEOUT
        self.session = requests.Session()
        self._credentials: tuple[str, str] | None = None

    def _key_and_site_id(self) -> tuple[str, str]:
        """Read once per client: a sync's many requests need no more queries."""
        if self._credentials is None:
            key = InterSiteKey.current()
            if not key:
                raise PeerError("No inter-site key is set on this site (Management > Security).")
            self._credentials = key, str(SiteState.load().site_id)
        return self._credentials

    @classmethod
    def for_peer(cls, site: SiteState, timeout: float = OPERATION_TIMEOUT) -> "PeerClient":
        return cls(
            site.peer_host,
            site.peer_port,
            expected_site_id=str(site.peer_site_id) if site.peer_site_id else None,
            timeout=timeout,
        )

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        scheme = "http" if settings.FAILOVER_ALLOW_INSECURE_PEER else "https"
        return f"{scheme}://{self.address}"

    def request(self, method: str, endpoint: str, **kwargs) -> requests.Response:
        """A signed request and its verified answer. Raises PeerError, and
        nothing else: whatever the other end sends (or fails to), a caller
        such as the health check gets a reason it can record."""
        self._key_and_site_id()  # this site's own state: its errors are its own
        try:
            return self._request(method, endpoint, **kwargs)
        except PeerError:
            raise
        except Exception as e:  # noqa: BLE001 - see the docstring
            log.warning("unusable answer from %s to %s: %r", self.address, endpoint, e)
            raise PeerAnswerInvalid(f"Unusable answer from {self.address}.") from e

    def _request(
        self,
        method: str,
        endpoint: str,
        *,
        payload=None,
        params=None,
        timeout: float | None = None,
        stream: bool = False,
        headers: dict | None = None,
        max_bytes: int | None = None,
    ) -> requests.Response:
        key, own_site_id = self._key_and_site_id()
        timeout = timeout or self.timeout
        body = json.dumps(payload).encode() if payload is not None else b""
        path = API_PREFIX + endpoint
        query = urlencode(params or {})
        signed = sign_request(
            key,
            method,
            path,
            query,
            body,
            own_site_id,
            time.time(),
            receiver=self.expected_site_id or UNBOUND,
        )

        url = self.base_url + path + (f"?{query}" if query else "")
        try:
            response = self.session.request(
                method,
                url,
                data=body,
                stream=stream or max_bytes is not None,
                # Never: a redirect would make this site request whatever
                # address the other end names.
                allow_redirects=False,
                timeout=(timeout, timeout),
                verify=settings.FAILOVER_PEER_CA_FILE or True,
                headers={**signed, "Content-Type": "application/json", **(headers or {})},
            )
        except requests.exceptions.SSLError as e:
            raise PeerTLSError(f"TLS failure talking to {self.address}: {_tls_reason(e)}") from None
        except requests.RequestException as e:
            log.info("peer call to %s failed: %r", self.address, e)
            raise PeerUnreachable(f"Cannot reach {self.address}: {_reason(e, timeout)}") from None
        if response.is_redirect:
            raise PeerAnswerInvalid(
                f"{self.address} answered with a redirect (HTTP {response.status_code}), "
                "which is never followed: it is not a failover console."
            )
        if response.status_code == 403:
            code = _code_of(response)
            reason = REFUSAL_REASONS.get(code, "no reason given")
            raise PeerRefused(
                f"{self.address} refused the request (HTTP 403): {reason}.", code, 403
            )
        if max_bytes is not None:
            _read_at_most(response, max_bytes, self.address)
        try:
            site_id = verify_response(
                key,
                signed[NONCE_HEADER],
                response.status_code,
                response.headers,
                None if stream else response.content,
            )
        except SignatureError as e:
            if e.code == "bad_response_signature":
                raise PeerAnswerInvalid(
                    f"The answer from {self.address} (HTTP {response.status_code}) is not "
                    "signed with this site's inter-site key: the keys differ, or it is not a "
                    "failover console."
                ) from None
            # Our own wording of what is wrong with its headers, not its text.
            raise PeerAnswerInvalid(
                f"Invalid answer from {self.address} (HTTP {response.status_code}): {e}"
            ) from None
        if self.expected_site_id and site_id != self.expected_site_id:
            raise PeerAnswerInvalid(f"A different site now answers at {self.address}.")
        if response.status_code >= 400:
            code, message = _signed_refusal(response)
            raise PeerRefused(message, code, response.status_code)
        return response

    def call(self, method: str, endpoint: str, **kwargs) -> dict:
        """A request whose answer is a JSON object, returned."""
        response = self.request(method, endpoint, **kwargs)
        try:
            payload = response.json()
        except (ValueError, RecursionError):
            raise PeerAnswerInvalid(f"{self.address} sent an answer that is not JSON.") from None
        if not isinstance(payload, dict):
            raise PeerAnswerInvalid(f"{self.address} sent an answer that is not a JSON object.")
        return payload

    def status(self) -> dict:
        """The peer's status, with every field a check uses of the right type."""
        report = self.call("GET", "status")
        problem = report_problem(report)
        if problem:
            raise PeerAnswerInvalid(f"Invalid status from {self.address}: {problem}.")
        return report


def _read_at_most(response: requests.Response, limit: int, address: str) -> None:
    """Read the body, refusing one over ``limit`` bytes before holding more."""
    body = bytearray()
    for chunk in response.iter_content(1 << 20):
        body += chunk
        if len(body) > limit:
            response.close()
            raise PeerAnswerInvalid(f"The answer from {address} is larger than {limit} bytes.")
    # Where requests keeps a body it has read, so .content and .json() see it.
    response._content = bytes(body)


def _tls_reason(error: requests.exceptions.SSLError) -> str:
    text = str(error)
    for marker in (
        "certificate verify failed",
        "hostname mismatch",
        "wrong version number",
        "self-signed certificate",
        "certificate has expired",
    ):
        if marker in text:
            start = text.index(marker)
            return text[start : text.find(")", start)] if ")" in text[start:] else marker
    return text
