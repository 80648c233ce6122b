"""CSRF on every HTML form POST and security headers on every HTML page, enumerated from the app's routes."""

from __future__ import annotations

from tests.security.support import ONE_CLICK_LINKS, Browser, fill, html_routes, path_values
from tests.support.seeds_surveys import create_open_survey, invite, path_of


async def _values(api, app, tenant) -> dict:  # noqa: ANN001
    survey = await create_open_survey(api, app, tenant)
    token = path_of((await invite(api, survey["id"], 1))[0]["url"]).rsplit("/", 1)[1]
    return await path_values(app, tenant, token)


async def test_every_form_post_refuses_a_missing_or_wrong_csrf_token(app, api, tenant, browser: Browser):
    values = await _values(api, app, tenant)
    await browser.sign_in(tenant)
    posts = html_routes(app, "POST")
    assert "/app/login" in posts and "/s/{token:str}" in posts and len(posts) >= 20
    failures = []
    for path in posts:
        if path.startswith(ONE_CLICK_LINKS):
            continue  # one-click unsubscribe (RFC 8058): the signed token in the path is the permission
        url = fill(path, values)
        await browser.get("/app/")  # a fresh CSRF cookie and token, as a page visit gives
        for label, response in (
            ("no token", await browser.post(url, {"action": "submit"}, csrf=False)),
            (
                "wrong token",
                await browser.post(url, {"action": "submit", "_csrf_token": "forged"}, csrf=False),
            ),
        ):
            if response.status_code != 403:
                failures.append(f"POST {path} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_a_form_post_with_the_token_gets_past_csrf(app, tenant, browser: Browser):
    """The 403s above are CSRF, not something else: the same session with its token signs out (303)."""
    await browser.sign_in(tenant)
    response = await browser.post("/app/logout")
    assert response.status_code == 303


def _check_headers(url: str, response) -> list[str]:  # noqa: ANN001
    problems = []
    csp = response.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    script = directives.get("script-src", directives.get("default-src", ""))
    if not script or "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append(f"{url}: script-src allows inline/eval or is missing: {csp!r}")
    if "frame-ancestors" not in directives:
        problems.append(f"{url}: no frame-ancestors in CSP")
    if response.headers.get("x-content-type-options") != "nosniff":
        problems.append(
            f"{url}: X-Content-Type-Options is {response.headers.get('x-content-type-options')!r}"
        )
    if not response.headers.get("referrer-policy"):
        problems.append(f"{url}: no Referrer-Policy")
    return problems


async def test_every_html_page_has_the_security_headers(app, api, tenant, browser: Browser):
    values = await _values(api, app, tenant)
    problems = []
    seen_html = 0
    for url in ("/app/login", "/s/" + "x" * 43, "/s/not-a-link"):  # pages a stranger can reach
        problems += _check_headers(url, await browser.get(url))
    await browser.sign_in(tenant)
    for path in html_routes(app, "GET"):
        url = fill(path, values)
        response = await browser.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.headers.get("content-type", "").startswith("text/html"):
            seen_html += 1
            problems += _check_headers(url, response)
    # an error page of the dashboard is HTML too
    missing = await browser.get("/app/credentials/999999999")
    if missing.headers.get("content-type", "").startswith("text/html"):
        problems += _check_headers("/app/credentials/999999999", missing)
    assert seen_html >= 10
    assert not problems, "\n".join(problems)


async def test_responses_the_router_makes_itself_carry_the_headers_too(anon_api):
    """An unknown route's 404 and a wrong method's 405 come from the router, before any route middleware."""
    for method, path in (("GET", "/no/such/page"), ("GET", "/api/v1/nothing-here"), ("DELETE", "/health")):
        response = await anon_api.request(method, path)
        assert response.status_code in (404, 405), (method, path, response.status_code)
        assert response.headers.get("x-content-type-options") == "nosniff", (method, path)
        assert response.headers.get("x-frame-options") == "DENY", (method, path)
        assert response.headers.get("referrer-policy") == "same-origin", (method, path)
