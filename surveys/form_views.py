"""The public form at /s/{token}: server-rendered pages that work without JavaScript.

Every page answers with a strict Content-Security-Policy, no referrer (the URL holds the personal token) and
no caching. An unknown, expired or used link gets one page that does not say which; so does a link over its
rate limit, except for the status code (429) and Retry-After.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kernel.clock import utcnow
from kernel.di import DbSession
from kernel.security_headers import ALWAYS, content_security_policy
from surveys.answers import field_name, missing_required, read_page
from surveys.form_fields import question_view, short_text
from surveys.i18n import localized, pick_language, words
from surveys.invitations import opt_out
from surveys.questions import is_visible, on_page, pages_of
from surveys.ratelimit import RateLimiter
from surveys.respond import (
    Link,
    can_submit_at_once,
    ensure_response,
    open_link,
    save_answers,
    submit,
    submit_at_once,
)
from surveys.settings import SurveySettings
from surveys.tokens import plausible, token_hash

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
ACTIONS = ("next", "back", "save", "submit")


def _settings(request: Request) -> SurveySettings:
    settings = getattr(request.app.state.settings, "surveys", None)
    return settings if isinstance(settings, SurveySettings) else SurveySettings()


def _state(request: Request, name: str, factory: Any) -> Any:
    value = request.app.state.get(name)
    if value is None:
        value = factory()
        request.app.state[name] = value
    return value


def _limited(request: Request, token: str) -> int:
    """Seconds to wait when this link or this client address is over its limit, else 0."""
    settings = _settings(request)
    limiter: RateLimiter = _state(
        request, "survey_rate_limiter", lambda: RateLimiter(settings.rate_window_seconds)
    )
    # behind trusted proxies the app's client-address middleware has already put the real client here
    address = request.client.host if request.client else "unknown"
    by_token = limiter.hit("t:" + token_hash(token), settings.rate_per_token)
    by_address = limiter.hit("a:" + address, settings.rate_per_address)
    return max(by_token, by_address)


def _page(
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


def _message(lang: str, title_key: str, body_key: str, status: int, **extra: Any) -> Template:
    w = words(lang)
    return _page(
        "surveys/message.html",
        lang,
        status,
        page_title=w[title_key],
        heading=w[title_key],
        body=w[body_key],
        header_title="skillpulse",
        **extra,
    )


def _unavailable(request: Request, lang: str | None) -> Template:
    """The same page for unknown, expired and used links (its language never comes from the invitation)."""
    language = pick_language(lang, None, request.headers.get("accept-language"))
    return _message(language, "unavailable_title", "unavailable_body", 404)


def _too_many(request: Request, wait: int) -> Template:
    language = pick_language(None, None, request.headers.get("accept-language"))
    return _message(language, "too_many_title", "too_many_body", 429, headers={"Retry-After": str(wait)})


def _visible_pages(link: Link) -> list[int]:
    return [
        p
        for p in pages_of(link.questions)
        if any(is_visible(q, link.answers) for q in on_page(link.questions, p))
    ]


def _url(token: str, page: int | None = None, lang: str | None = None) -> str:
    query = {k: v for k, v in (("page", page), ("lang", lang)) if v is not None}
    return f"/s/{token}" + (f"?{urlencode(query)}" if query else "")


def _render_form(
    link: Link,
    token: str,
    page: int,
    lang: str,
    errors: dict[str, str] | None = None,
    shown: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    errors = errors or {}
    shown = shown if shown is not None else link.answers
    w = words(lang)
    visible_pages = _visible_pages(link) or [page]
    questions = [q for q in on_page(link.questions, page) if is_visible(q, link.answers)]
    views = [question_view(q, shown.get(q["code"]), errors.get(q["code"]), lang) for q in questions]
    index = visible_pages.index(page) + 1 if page in visible_pages else 1
    title = localized(lang, link.survey.title, link.survey.title_es)
    progress = w["page_of"].format(page=index, pages=len(visible_pages))
    summary = [
        {
            "target": v["options"][0]["id"] if v["options"] else v["id"],
            "message": f"{short_text(v['text'])}: {v['error']}",
        }
        for v in views
        if v["error"]
    ]
    extra = [{"target": "main", "message": m} for code, m in errors.items() if code.startswith("_")]
    page_title = f"{progress} – {title}"
    return _page(
        "surveys/form.html",
        lang,
        status,
        page_title=(w["error_title_prefix"] + page_title) if errors else page_title,
        header_title=title,
        survey_title=title,
        intro=localized(lang, link.survey.intro, link.survey.intro_es) if index == 1 else None,
        progress_text=progress,
        pages=len(visible_pages),
        page_index=index,
        page=page,
        questions=views,
        errors=extra + summary,
        is_last=index >= len(visible_pages),
        has_previous=index > 1,
        action_url=f"/s/{token}",
        switch_url=_url(token, page, "en" if lang == "es" else "es"),
    )


def _language(request: Request, link: Link, requested: str | None) -> str:
    stored = link.response.language if link.response else link.invitation.language
    return pick_language(requested, stored, request.headers.get("accept-language"))


def _current_page(link: Link, requested: int | None) -> int:
    pages = _visible_pages(link) or pages_of(link.questions) or [1]
    if requested in pages:
        return requested  # type: ignore[return-value]
    if link.response is not None and link.response.page in pages:
        return link.response.page
    return pages[0]


def _just_submitted(link: Link, grace_seconds: int) -> bool:
    submitted_at = link.response.submitted_at if link.response else None
    return submitted_at is not None and utcnow() - submitted_at <= timedelta(seconds=grace_seconds)


def _thanks(lang: str) -> Template:
    return _message(lang, "thanks_title", "thanks_body", 200)


class SurveyFormController(Controller):
    path = "/s"
    tags = ["survey form"]

    @get("/{token:str}", operation_id="showSurveyForm", exclude_from_auth=True, include_in_schema=False)
    async def show(
        self,
        request: Request,
        token: FromPath[str],
        db_session: DbSession,
        page: FromQuery[int | None] = None,
        lang: FromQuery[str | None] = None,
    ) -> Response:
        wait = _limited(request, token)
        if wait:
            return _too_many(request, wait)
        link = (
            await open_link(db_session, token, _state(request, "survey_question_cache", dict))
            if plausible(token)
            else None
        )
        if link is None or link.submitted:
            return _unavailable(request, lang)
        language = _language(request, link, lang)
        return _render_form(link, token, _current_page(link, page), language)

    @post(
        "/{token:str}",
        operation_id="answerSurveyForm",
        exclude_from_auth=True,
        include_in_schema=False,
        status_code=200,
    )
    async def answer(self, request: Request, token: FromPath[str], db_session: DbSession) -> Response:
        wait = _limited(request, token)
        if wait:
            return _too_many(request, wait)
        form = await request.form()
        requested_lang = form.get("lang") if isinstance(form.get("lang"), str) else None
        link = (
            await open_link(db_session, token, _state(request, "survey_question_cache", dict), lock=True)
            if plausible(token)
            else None
        )
        action = form.get("action") if form.get("action") in ACTIONS else "next"
        if link is None:
            return _unavailable(request, requested_lang)
        language = _language(request, link, requested_lang)
        if link.submitted:
            if action == "submit" and _just_submitted(link, _settings(request).resubmit_grace_seconds):
                return _thanks(language)  # a double click or a retried request: nothing new is stored
            return _unavailable(request, requested_lang)
        try:
            page = int(str(form.get("page") or ""))
        except ValueError:
            page = 0
        page = _current_page(link, page)
        fields = {key: [v for v in form.getall(key) if isinstance(v, str)] for key in form}
        questions = [q for q in on_page(link.questions, page) if is_visible(q, link.answers)]
        values, errors = read_page(
            questions, fields, link.answers, language, check_required=action in ("next", "submit")
        )
        if action == "submit" and not errors and can_submit_at_once(link):
            # the usual one-page final submit: response, answers and invitation written in one go
            if await submit_at_once(db_session, link, values, page, language):
                await db_session.commit()
                return _thanks(language)
        if values:
            await save_answers(db_session, link, values, page, language)
        # The session commits on each way out, even for a page with errors or a redirect (the plugin commits
        # 2xx only), and not before: the link's row lock must hold until the request is done.
        if errors:
            shown = dict(link.answers)
            shown.update({code: (fields.get(field_name(code)) or [""])[-1] for code in errors})
            await db_session.commit()
            return _render_form(link, token, page, language, errors, shown, status=400)
        pages = _visible_pages(link)
        if action == "save":
            if link.response is None:
                await ensure_response(db_session, link, language)
            await db_session.commit()
            return _message(
                language,
                "saved_title",
                "saved_body",
                200,
                action_url=_url(token, page, language),
                action_label=words(language)["continue"],
            )
        if action == "back":
            earlier = [p for p in pages if p < page]
            await db_session.commit()
            return Redirect(
                _url(token, earlier[-1] if earlier else page, language),
                status_code=303,
                headers=SECURITY_HEADERS,
            )
        later = [p for p in pages if p > page]
        if action == "next" or later and action != "submit":
            await db_session.commit()
            return Redirect(
                _url(token, later[0] if later else page, language), status_code=303, headers=SECURITY_HEADERS
            )
        missing = missing_required(link.questions, link.answers)
        if missing:
            first_page = int(missing[0]["page"])
            w = words(language)
            errors = {q["code"]: w["err_required"] for q in missing if int(q["page"]) == first_page}
            await db_session.commit()
            return _render_form(link, token, first_page, language, errors, status=400)
        await submit(db_session, link)
        await db_session.commit()
        return _thanks(language)

    @get(
        "/{token:str}/opt-out",
        operation_id="showSurveyOptOut",
        exclude_from_auth=True,
        include_in_schema=False,
    )
    async def show_opt_out(
        self, request: Request, token: FromPath[str], lang: FromQuery[str | None] = None
    ) -> Response:
        """A confirmation page: a GET never changes anything (mail scanners follow links)."""
        language = pick_language(lang, None, request.headers.get("accept-language"))
        return _message(language, "optout_title", "optout_body", 200, confirm_form=f"/s/{token}/opt-out")

    @post(
        "/{token:str}/opt-out",
        operation_id="optOutOfSurvey",
        exclude_from_auth=True,
        include_in_schema=False,
        status_code=200,
    )
    async def opt_out(self, request: Request, token: FromPath[str], db_session: DbSession) -> Response:
        wait = _limited(request, token)
        if wait:
            return _too_many(request, wait)
        form = await request.form()
        language = pick_language(
            form.get("lang") if isinstance(form.get("lang"), str) else None,
            None,
            request.headers.get("accept-language"),
        )
        if plausible(token):
            await opt_out(db_session, token)
            await db_session.commit()
        return _message(language, "optout_title", "optout_done", 200)
