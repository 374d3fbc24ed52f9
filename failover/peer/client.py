"""Signed calls to the peer site, over TLS with a verified certificate (or
plain HTTP when ``FAILOVER_ALLOW_INSECURE_PEER`` allows it for loopback)."""

import json
import time
from urllib.parse import urlencode

import requests
from django.conf import settings

from failover.domain.peer_report import report_problem
from failover.models import InterSiteKey, SiteState
from failover.peer.signing import (
    NONCE_HEADER,
    SignatureError,
    sign_request,
    verify_response,
)

API_PREFIX = "/api/peer/v1/"


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
    text = str(error)
    if isinstance(error, requests.ConnectTimeout):
        return f"connection timed out after {timeout:g} s"
    if isinstance(error, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "host name not found"
    if "No route to host" in text or "Network is unreachable" in text:
        return "no route to host"
    if "Connection reset" in text or "RemoteDisconnected" in text or "Connection aborted" in text:
        return "connection closed by the other end"
    return text


def _error_of(response: requests.Response) -> tuple[str, str]:
    """The (code, message) of an error answer, read leniently: whatever the
    body holds, the administrator gets a reason."""
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    fallback = f"HTTP {response.status_code} {response.reason}"
    if not isinstance(payload, dict):
        return "error", fallback
    code, message = payload.get("code"), payload.get("error")
    return (
        code if isinstance(code, str) and code else "error",
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
    def for_peer(cls, site: SiteState, **kwargs) -> "PeerClient":
        return cls(
            site.peer_host,
            site.peer_port,
            expected_site_id=str(site.peer_site_id) if site.peer_site_id else None,
            **kwargs,
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
            raise PeerAnswerInvalid(
                f"Unusable answer from {self.address}: {type(e).__name__}: {e}"[:300]
            ) from e

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
    ) -> requests.Response:
        key, own_site_id = self._key_and_site_id()
        timeout = timeout or self.timeout
        body = json.dumps(payload).encode() if payload is not None else b""
        path = API_PREFIX + endpoint
        query = urlencode(params or {})
        signed = sign_request(key, method, path, query, body, own_site_id, time.time())

        url = self.base_url + path + (f"?{query}" if query else "")
        try:
            response = self.session.request(
                method,
                url,
                data=body,
                stream=stream,
                timeout=(timeout, timeout),
                verify=settings.FAILOVER_PEER_CA_FILE or True,
                headers={**signed, "Content-Type": "application/json", **(headers or {})},
            )
        except requests.exceptions.SSLError as e:
            raise PeerTLSError(f"TLS failure talking to {self.address}: {_tls_reason(e)}") from None
        except requests.RequestException as e:
            raise PeerUnreachable(f"Cannot reach {self.address}: {_reason(e, timeout)}") from None
        if response.status_code == 403:
            # A refused request is not signed with a key we share; its JSON
            # reason is only used to tell the administrator what went wrong.
            code, message = _error_of(response)
            raise PeerRefused(f"{self.address} refused the request: {message}", code, 403)
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
                    f"The answer from {self.address} is not signed with this site's inter-site "
                    "key: the keys differ, or it is not a failover console."
                ) from None
            raise PeerAnswerInvalid(f"Invalid answer from {self.address}: {e}") from None
        if self.expected_site_id and site_id != self.expected_site_id:
            raise PeerAnswerInvalid(f"A different site now answers at {self.address}.")
        if response.status_code >= 400:
            code, message = _error_of(response)
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
