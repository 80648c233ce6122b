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


# Where the raw ASGI submit (`respond_asgi`) leaves its rate-limit verdict for the handler it hands a request
# to: one request counts once against its limits.
RATE_CHECKED = "skillpulse.survey_rate_wait"


def survey_settings(state: Any) -> SurveySettings:
    """The surveys' settings from the app's state (every field's default when the app has none)."""
    settings = getattr(state.settings, "surveys", None)
    return settings if isinstance(settings, SurveySettings) else SurveySettings()  # type: ignore[call-arg]  # every field has a default


def settings_of(request: Request) -> SurveySettings:
    return survey_settings(request.app.state)


def state_value(state: Any, name: str, factory: Any) -> Any:
    value = state.get(name)
    if value is None:
        value = factory()
        state[name] = value
    return value


def app_state(request: Request, name: str, factory: Any) -> Any:
    return state_value(request.app.state, name, factory)


def limited_at(state: Any, token: str, address: str) -> int:
    """Seconds to wait when this link or this client address is over its limit, else 0 (counts the request)."""
    settings = survey_settings(state)
    limiter: RateLimiter = state_value(
        state, "survey_rate_limiter", lambda: RateLimiter(settings.rate_window_seconds)
    )
    by_token = limiter.hit("t:" + token_hash(token), settings.rate_per_token)
    by_address = limiter.hit("a:" + address, settings.rate_per_address)
    return max(by_token, by_address)


def limited(request: Request, token: str) -> int:
    """As `limited_at` for this request, once: a request the raw ASGI submit already counted is not counted
    again."""
    checked = request.scope.get(RATE_CHECKED)
    if isinstance(checked, int):
        return checked
    # behind trusted proxies the app's client-address middleware has already put the real client here
    return limited_at(request.app.state, token, request.client.host if request.client else "unknown")


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


def thanks_html(app: Any, lang: str) -> str:
    """The thank-you page: the same for every respondent in a language, so it is rendered once per process."""
    pages: dict[str, str] = state_value(app.state, "survey_thanks_pages", dict)
    html = pages.get(lang)
    if html is None:
        w = words(lang)
        engine = app.template_engine
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
    return html


def thanks(request: Request, lang: str) -> Response:
    return Response(thanks_html(request.app, lang), media_type=MediaType.HTML, headers=SECURITY_HEADERS)


def questions_cache(request: Request) -> dict:
    return questions_cache_in(request.app.state)


def questions_cache_in(state: Any) -> dict:
    return state_value(state, "survey_question_cache", dict)
