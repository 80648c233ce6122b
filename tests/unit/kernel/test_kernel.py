"""The shared kernel: strict inputs without NULs, tokens and keys (unchanged from before the move, so links
already mailed and cookies already set keep working), and the security headers."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from pydantic import ValidationError

from kernel.schemas import Input, Page
from kernel.security_headers import CONTENT_SECURITY_POLICY, SecurityHeadersMiddleware
from kernel.tokens import constant_time_equal, derive_key, new_token, sign, token_digest
from service import security
from service.notifications.tokens import unsubscribe_token, user_of
from surveys import tokens as survey_tokens


class Thing(Input):
    name: str
    tags: list[str] = []
    extra: dict[str, str] = {}


def test_input_drops_nul_everywhere_strips_and_refuses_unknown_fields():
    thing = Thing.model_validate({"name": "  we\x00ld  ", "tags": ["a\x00b"], "extra": {"k": "v\x00"}})
    assert (thing.name, thing.tags, thing.extra) == ("weld", ["ab"], {"k": "v"})
    with pytest.raises(ValidationError, match="org_id"):
        Thing.model_validate({"name": "x", "org_id": 3})


def test_survey_inputs_are_kernel_inputs():
    from surveys.schemas import QuestionCreate, ShowIf

    question = QuestionCreate.model_validate({"kind": "text", "text": "Which\x00 tools?"})
    assert question.text == "Which tools?"
    assert ShowIf.model_validate({"code": "q_1", "in": ["y\x00es"]}).in_ == ["yes"]
    assert ShowIf(code="q_1", in_=["yes"]).model_dump(by_alias=True) == {"code": "q_1", "in": ["yes"]}


def test_page_is_generic():
    assert Page[int](items=[1], total=1, limit=10, offset=0).items == [1]


def test_token_digest_is_sha256_hex_and_every_copy_is_the_kernels():
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert survey_tokens.token_hash is token_digest and security.token_digest is token_digest
    assert security.constant_time_equal is constant_time_equal


def test_new_tokens_are_random_and_shaped():
    api_token, link = security.new_token(), survey_tokens.new_token()
    assert api_token.startswith("sp_") and len(api_token) == 3 + 43
    assert len(link) == 32 and survey_tokens.plausible(link)
    assert new_token() != new_token() and new_token(16, "x_").startswith("x_")


def test_keys_and_signatures_are_what_they_were():
    assert derive_key("s3cret", "session") == hashlib.sha256(b"session:s3cret").digest()
    assert sign(b"k", "m") == hmac.new(b"k", b"m", hashlib.sha256).digest()
    # an unsubscribe link mailed before the kernel existed still opens for its user
    assert unsubscribe_token(42, "s3cret") == "42-hejcbfIWtFhg65lbZ5UBIVK0M1VOkj98"
    assert user_of("42-hejcbfIWtFhg65lbZ5UBIVK0M1VOkj98", "s3cret") == 42
    assert user_of("42-hejcbfIWtFhg65lbZ5UBIVK0M1VOkj98", "another") is None


async def _call(path: str, content_type: str, own: list[tuple[bytes, bytes]] | None = None) -> dict[str, str]:
    async def app(scope, receive, send):
        headers = [(b"content-type", content_type.encode()), *(own or [])]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    await SecurityHeadersMiddleware(app)({"type": "http", "path": path, "headers": []}, receive, send)
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


async def test_security_headers_on_every_response_and_csp_on_html():
    html = await _call("/app/", "text/html; charset=utf-8")
    assert html["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert (html["x-content-type-options"], html["x-frame-options"]) == ("nosniff", "DENY")
    as_json = await _call("/api/v1/x", "application/json")
    assert "content-security-policy" not in as_json and as_json["referrer-policy"] == "same-origin"
    assert "content-security-policy" not in await _call("/schema/", "text/html")
    own = await _call("/s/tok", "text/html", [(b"referrer-policy", b"no-referrer")])
    assert own["referrer-policy"] == "no-referrer"
