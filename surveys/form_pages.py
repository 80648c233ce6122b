"""What every page of the public form shares: its headers, the per-process state it keeps (rate limiter,
question cache, the thank-you pages), the rate limit and the one-message pages."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.response import Template

from kernel.security_headers import ALWAYS, content_security_policy
from surveys.i18n import pick_language, words
from surveys.ratelimit import RateLimiter
from surveys.settings import SurveySettings
from surveys.tokens import token_hash

# The app-wide headers (kernel.security_headers), stricter: nothing but our stylesheet and images, no referrer
# (the URL holds the personal token), no caching.
SECURITY_HEADERS = {
    **ALWAYS,
    "content-security-policy": content_security_policy(
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ),
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def settings_of(request: Request) -> SurveySettings:
    settings = getattr(request.app.state.settings, "surveys", None)
    return settings if isinstance(settings, SurveySettings) else SurveySettings()  # type: ignore[call-arg]  # every field has a default


def app_state(request: Request, name: str, factory: Any) -> Any:
    value = request.app.state.get(name)
    if value is None:
        value = factory()
        request.app.state[name] = value
    return value


def limited(request: Request, token: str) -> int:
    """Seconds to wait when this link or this client address is over its limit, else 0."""
    settings = settings_of(request)
    limiter: RateLimiter = app_state(
        request, "survey_rate_limiter", lambda: RateLimiter(settings.rate_window_seconds)
    )
    # behind trusted proxies the app's client-address middleware has already put the real client here
    address = request.client.host if request.client else "unknown"
    by_token = limiter.hit("t:" + token_hash(token), settings.rate_per_token)
    by_address = limiter.hit("a:" + address, settings.rate_per_address)
    return max(by_token, by_address)


def page_of(
    template: str, lang: str, status: int = 200, headers: dict | None = None, **context: Any
) -> Template:
    w = words(lang)
    context.setdefault("header_title", context.get("page_title", ""))
    return Template(
        template_name=template,
        context={"lang": lang, "w": w, "other_lang": "en" if lang == "es" else "es", **context},
        status_code=status,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def message(lang: str, title_key: str, body_key: str, status: int, **extra: Any) -> Template:
    w = words(lang)
    return page_of(
        "surveys/message.html",
        lang,
        status,
        page_title=w[title_key],
        heading=w[title_key],
        body=w[body_key],
        header_title="skillpulse",
        **extra,
    )


def unavailable(request: Request, lang: str | None) -> Template:
    """The same page for unknown, expired and used links (its language never comes from the invitation)."""
    language = pick_language(lang, None, request.headers.get("accept-language"))
    return message(language, "unavailable_title", "unavailable_body", 404)


def too_many(request: Request, wait: int) -> Template:
    language = pick_language(None, None, request.headers.get("accept-language"))
    return message(language, "too_many_title", "too_many_body", 429, headers={"Retry-After": str(wait)})


def thanks(request: Request, lang: str) -> Response:
    """The thank-you page: the same for every respondent in a language, so it is rendered once per process."""
    pages: dict[str, str] = app_state(request, "survey_thanks_pages", dict)
    html = pages.get(lang)
    if html is None:
        w = words(lang)
        engine = request.app.template_engine
        if engine is None:  # the app always has one (service/app.py); a bare app in a test might not
            raise RuntimeError("the survey form needs the app's template engine")
        template = engine.get_template("surveys/message.html")
        pages[lang] = html = template.render(
            lang=lang,
            w=w,
            other_lang="en" if lang == "es" else "es",
            page_title=w["thanks_title"],
            heading=w["thanks_title"],
            body=w["thanks_body"],
            header_title="skillpulse",
        )
    return Response(html, media_type=MediaType.HTML, headers=SECURITY_HEADERS)


def questions_cache(request: Request) -> dict:
    return app_state(request, "survey_question_cache", dict)
