"""The public form at /s/{token}: server-rendered pages that work without JavaScript.

Every page answers with a strict Content-Security-Policy, no referrer (the URL holds the personal token) and
no caching. An unknown, expired or used link gets one page that does not say which; so does a link over its
rate limit, except for the status code (429) and Retry-After.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from kernel.clock import utcnow
from kernel.di import DbSession
from surveys import respond_fast
from surveys.answers import field_name, missing_required
from surveys.form_fields import question_view, short_text
from surveys.form_pages import (
    SECURITY_HEADERS,
    app_state,
    limited,
    message,
    page_of,
    questions_cache,
    settings_of,
    thanks,
    too_many,
    unavailable,
)
from surveys.i18n import localized, pick_language, words
from surveys.invitations import opt_out
from surveys.questions import is_visible, on_page
from surveys.respond_draft import ensure_response, save_answers
from surveys.respond_link import Link, open_link
from surveys.respond_page import current_page, posted_page, read_posted, visible_pages
from surveys.respond_submit import can_submit_at_once, submit, submit_at_once
from surveys.tokens import plausible

ACTIONS = ("next", "back", "save", "submit")


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
    shown_pages = visible_pages(link) or [page]
    questions = [q for q in on_page(link.questions, page) if is_visible(q, link.answers)]
    views = [question_view(q, shown.get(q["code"]), errors.get(q["code"]), lang) for q in questions]
    index = shown_pages.index(page) + 1 if page in shown_pages else 1
    title = localized(lang, link.survey.title, link.survey.title_es)
    progress = w["page_of"].format(page=index, pages=len(shown_pages))
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
    return page_of(
        "surveys/form.html",
        lang,
        status,
        page_title=(w["error_title_prefix"] + page_title) if errors else page_title,
        header_title=title,
        survey_title=title,
        intro=localized(lang, link.survey.intro, link.survey.intro_es) if index == 1 else None,
        progress_text=progress,
        pages=len(shown_pages),
        page_index=index,
        page=page,
        questions=views,
        errors=extra + summary,
        is_last=index >= len(shown_pages),
        has_previous=index > 1,
        action_url=f"/s/{token}",
        switch_url=_url(token, page, "en" if lang == "es" else "es"),
    )


# stand-ins for what differs between two respondents' copies of a fresh form page (private-use characters:
# neither HTML escaping nor a token can produce them)
_LINK_MARK = "\ue000link\ue000"
_CSRF_MARK = "\ue000csrf\ue000"


def _fresh_form(request: Request, link: Link, token: str, page: int, lang: str) -> Response:
    """The form page of a link without a draft: the same for every respondent of the survey but for the personal
    token in its URLs and the CSRF field, so it is rendered once per survey, page and language (and the survey's
    words, in case they change) and those two are filled in per request."""
    survey = link.survey
    key = (
        survey.id,
        survey.opened_at,
        survey.title,
        survey.title_es,
        survey.intro,
        survey.intro_es,
        page,
        lang,
    )
    pages: dict = app_state(request, "survey_form_pages", dict)
    text = pages.get(key)
    if text is None:
        form = _render_form(link, _LINK_MARK, page, lang)
        engine = request.app.template_engine
        if engine is None or not isinstance(form.template_name, str):
            raise RuntimeError("the survey form needs the app's template engine")
        text = engine.get_template(form.template_name).render(**form.context, csrf_input=_CSRF_MARK)
        if len(pages) > 1000:
            pages.clear()
        pages[key] = text
    csrf = ScopeState.from_scope(request.scope).csrf_token
    field = f'<input type="hidden" name="_csrf_token" value="{html.escape(csrf if isinstance(csrf, str) else "")}" />'
    body = text.replace(_LINK_MARK, token).replace(_CSRF_MARK, field)
    return Response(body, media_type=MediaType.HTML, headers=SECURITY_HEADERS)


def _language(request: Request, link: Link, requested: str | None) -> str:
    stored = link.response.language if link.response else link.invitation.language
    return pick_language(requested, stored, request.headers.get("accept-language"))


def _just_submitted(link: Link, grace_seconds: int) -> bool:
    submitted_at = link.response.submitted_at if link.response else None
    return submitted_at is not None and utcnow() - submitted_at <= timedelta(seconds=grace_seconds)


async def _submit_fast(
    request: Request, db_session: DbSession, token: str, form: Any, requested_lang: str | None
) -> Response | None:
    """PostgreSQL's one-statement first and final submit (`respond_fast`); None when the request must take
    the general path (an unknown or used link, a draft, a page with errors, a submit that lost a race)."""
    link = await respond_fast.read_link(db_session, token, questions_cache(request), with_answers=False)
    if link is None or link.submitted or not respond_fast.can_submit_first(link):
        return None
    language = _language(request, link, requested_lang)
    page = posted_page(link, form)
    _, values, errors = read_posted(link, form, page, language, "submit")
    if errors or not await respond_fast.submit_first(db_session, link, values, page, language):
        return None
    await db_session.commit()  # only when the question cache was read through the session: else a no-op
    return thanks(request, language)


async def _with_errors(
    db_session: DbSession,
    link: Link,
    token: str,
    page: int,
    language: str,
    errors: dict[str, str],
    fields: dict[str, list[str]],
) -> Response:
    shown = dict(link.answers)
    shown.update({code: (fields.get(field_name(code)) or [""])[-1] for code in errors})
    await db_session.commit()
    return _render_form(link, token, page, language, errors, shown, status=400)


async def _move_on(
    request: Request, db_session: DbSession, link: Link, token: str, page: int, language: str, action: str
) -> Response:
    """After a page without errors was saved: the saved page, the page before or after, or the final submit."""
    pages = visible_pages(link)
    if action == "save":
        if link.response is None:
            await ensure_response(db_session, link, language)
        await db_session.commit()
        return message(
            language,
            "saved_title",
            "saved_body",
            200,
            action_url=_url(token, page, language),
            action_label=words(language)["continue"],
        )
    earlier, later = [p for p in pages if p < page], [p for p in pages if p > page]
    if action == "back" or action == "next" or later and action != "submit":
        target = (earlier[-1] if earlier else page) if action == "back" else (later[0] if later else page)
        await db_session.commit()
        return Redirect(_url(token, target, language), status_code=303, headers=SECURITY_HEADERS)
    missing = missing_required(link.questions, link.answers)
    if missing:
        first_page = int(missing[0]["page"])
        w = words(language)
        errors = {q["code"]: w["err_required"] for q in missing if int(q["page"]) == first_page}
        await db_session.commit()
        return _render_form(link, token, first_page, language, errors, status=400)
    await submit(db_session, link)
    await db_session.commit()
    return thanks(request, language)


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
        wait = limited(request, token)
        if wait:
            return too_many(request, wait)
        link = None
        if plausible(token):  # PostgreSQL: one statement outside a transaction (a GET changes nothing)
            opener = respond_fast.read_link if respond_fast.applies(db_session) else open_link
            link = await opener(db_session, token, questions_cache(request))
        if link is None or link.submitted:
            return unavailable(request, lang)
        language = _language(request, link, lang)
        if link.response is None:  # nothing of this respondent's on the page yet
            return _fresh_form(request, link, token, current_page(link, page), language)
        return _render_form(link, token, current_page(link, page), language)

    @post(
        "/{token:str}",
        operation_id="answerSurveyForm",
        exclude_from_auth=True,
        include_in_schema=False,
        status_code=200,
    )
    async def answer(self, request: Request, token: FromPath[str], db_session: DbSession) -> Response:
        wait = limited(request, token)
        if wait:
            return too_many(request, wait)
        form = await request.form()
        requested_lang = form.get("lang") if isinstance(form.get("lang"), str) else None
        action = form.get("action") if form.get("action") in ACTIONS else "next"
        if action == "submit" and plausible(token) and respond_fast.applies(db_session):
            done = await _submit_fast(request, db_session, token, form, requested_lang)
            if done is not None:
                return done
        link = (
            await open_link(db_session, token, questions_cache(request), lock=True)
            if plausible(token)
            else None
        )
        if link is None:
            return unavailable(request, requested_lang)
        language = _language(request, link, requested_lang)
        if link.submitted:
            if action == "submit" and _just_submitted(link, settings_of(request).resubmit_grace_seconds):
                return thanks(request, language)  # a double click or a retried request: nothing new is stored
            return unavailable(request, requested_lang)
        page = posted_page(link, form)
        fields, values, errors = read_posted(link, form, page, language, action)
        if action == "submit" and not errors and can_submit_at_once(link):
            # the usual one-page final submit: response, answers and invitation written in one go
            if await submit_at_once(db_session, link, values, page, language):
                await db_session.commit()
                return thanks(request, language)
        if values:
            await save_answers(db_session, link, values, page, language)
        # The session commits on each way out, even for a page with errors or a redirect (the plugin commits
        # 2xx only), and not before: the link's row lock must hold until the request is done.
        if errors:
            return await _with_errors(db_session, link, token, page, language, errors, fields)
        return await _move_on(request, db_session, link, token, page, language, action)

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
        return message(language, "optout_title", "optout_body", 200, confirm_form=f"/s/{token}/opt-out")

    @post(
        "/{token:str}/opt-out",
        operation_id="optOutOfSurvey",
        exclude_from_auth=True,
        include_in_schema=False,
        status_code=200,
    )
    async def opt_out(self, request: Request, token: FromPath[str], db_session: DbSession) -> Response:
        wait = limited(request, token)
        if wait:
            return too_many(request, wait)
        form = await request.form()
        language = pick_language(
            form.get("lang") if isinstance(form.get("lang"), str) else None,
            None,
            request.headers.get("accept-language"),
        )
        if plausible(token):
            await opt_out(db_session, token)
            await db_session.commit()
        return message(language, "optout_title", "optout_done", 200)
