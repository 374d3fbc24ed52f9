import pytest

from failover.peer import signing

KEY = "k" * 40
SITE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def _sign(**overrides):
    args = {
        "key": KEY,
        "method": "POST",
        "path": "/api/peer/v1/pair",
        "query": "b=2&a=1",
        "body": b'{"x": 1}',
        "site_id": SITE,
        "now": 1000.0,
        **overrides,
    }
    return signing.sign_request(**args)


def _verify(headers, **overrides):
    args = {
        "key": KEY,
        "method": "POST",
        "path": "/api/peer/v1/pair",
        "query": "a=1&b=2",
        "body": b'{"x": 1}',
        "headers": headers,
        "now": 1000.0,
        **overrides,
    }
    return signing.verify_request(**args)


def test_a_signed_request_verifies():
    headers = _sign()
    signed = _verify(headers)
    assert signed.site_id == SITE
    assert signed.nonce == headers[signing.NONCE_HEADER]


def test_each_request_has_a_new_nonce():
    assert _sign()[signing.NONCE_HEADER] != _sign()[signing.NONCE_HEADER]


@pytest.mark.parametrize(
    "change",
    [
        {"key": "x" * 40},
        {"method": "GET"},
        {"path": "/api/peer/v1/unpair"},
        {"query": "a=1&b=3"},
        {"body": b'{"x": 2}'},
    ],
)
def test_any_change_breaks_the_signature(change):
    with pytest.raises(signing.SignatureError) as refused:
        _verify(_sign(), **change)
    assert refused.value.code == "bad_signature"


def test_a_changed_site_id_breaks_the_signature():
    headers = _sign()
    headers[signing.SITE_HEADER] = "2b4e28ba-2fa1-11d2-883f-0016d3cca427"
    with pytest.raises(signing.SignatureError, match="Wrong signature"):
        _verify(headers)


@pytest.mark.parametrize("skew", [-61, 61, 3600])
def test_stale_timestamps_are_refused(skew):
    with pytest.raises(signing.SignatureError) as refused:
        _verify(_sign(now=1000.0 + skew))
    assert refused.value.code == "stale"


def test_timestamps_within_the_window_are_accepted():
    _verify(_sign(now=1000.0 - 59))
    _verify(_sign(now=1000.0 + 59))


@pytest.mark.parametrize(
    "header",
    [signing.SITE_HEADER, signing.TIMESTAMP_HEADER, signing.NONCE_HEADER, signing.SIGNATURE_HEADER],
)
def test_missing_headers_are_refused(header):
    headers = _sign()
    del headers[header]
    with pytest.raises(signing.SignatureError) as refused:
        _verify(headers)
    assert refused.value.code == "unsigned"


MALFORMED = [
    (signing.SITE_HEADER, "not-a-uuid"),
    (signing.SITE_HEADER, "{1b4e28ba-2fa1-11d2-883f-0016d3cca427}"),
    (signing.TIMESTAMP_HEADER, "yesterday"),
    (signing.TIMESTAMP_HEADER, "nan"),
    (signing.TIMESTAMP_HEADER, "inf"),
    (signing.TIMESTAMP_HEADER, "-1000.0"),
    (signing.TIMESTAMP_HEADER, "1e3"),
    (signing.NONCE_HEADER, "short"),
    (signing.SIGNATURE_HEADER, "zz"),
    (signing.SIGNATURE_HEADER, "é" * 64),
    (signing.SIGNATURE_HEADER, "A" * 64),
    (signing.SIGNATURE_HEADER, "a" * 63),
]


@pytest.mark.parametrize("header,value", MALFORMED)
def test_malformed_headers_are_refused(header, value):
    headers = _sign()
    headers[header] = value
    with pytest.raises(signing.SignatureError) as refused:
        _verify(headers)
    assert refused.value.code == "malformed"
    assert header in str(refused.value)


@pytest.mark.parametrize(
    "header,value", [(name, value) for name, value in MALFORMED if name != signing.NONCE_HEADER]
)
def test_malformed_response_headers_are_refused_before_any_comparison(header, value):
    headers = signing.sign_response(KEY, "a" * 32, 200, SITE, b"{}", 1000.0)
    headers[header] = value
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify_response(KEY, "a" * 32, 200, headers, b"{}")
    assert refused.value.code == "malformed_response"


def test_an_unsigned_response_is_refused():
    with pytest.raises(signing.SignatureError) as refused:
        signing.verify_response(KEY, "a" * 32, 200, {}, b"{}")
    assert refused.value.code == "unsigned"


def test_responses_are_signed_and_bound_to_the_request_nonce():
    headers = signing.sign_response(KEY, "a" * 32, 200, SITE, b"{}", 1000.0)
    assert signing.verify_response(KEY, "a" * 32, 200, headers, b"{}") == SITE
    for args in (
        ("b" * 32, 200, headers, b"{}"),
        ("a" * 32, 409, headers, b"{}"),
        ("a" * 32, 200, headers, b"[]"),
    ):
        with pytest.raises(signing.SignatureError):
            signing.verify_response(KEY, *args)
    with pytest.raises(signing.SignatureError):
        signing.verify_response("y" * 40, "a" * 32, 200, headers, b"{}")


def test_streamed_responses_sign_everything_but_the_body():
    headers = signing.sign_response(KEY, "a" * 32, 206, SITE, None, 1000.0)
    assert signing.verify_response(KEY, "a" * 32, 206, headers, None) == SITE
    with pytest.raises(signing.SignatureError):
        signing.verify_response(KEY, "a" * 32, 206, headers, b"")
