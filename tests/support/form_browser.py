"""A cookie-keeping HTTP client that uses the HTML forms as a browser does (CSRF token taken from each page)."""

from __future__ import annotations

import re

import httpx

from tests.support.factories import Tenant

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class FormBrowser:
    """Signs in through the login form and sends the last page's CSRF token with every form POST."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    async def get(self, url: str) -> httpx.Response:
        response = await self.client.get(url, headers={"accept": "text/html"})
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def post(self, url: str, data: dict | None = None, csrf: bool = True) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["_csrf_token"] = self.csrf
        return await self.client.post(url, data=form, headers={"accept": "text/html"})

    async def login(
        self, email: str, password: str = "correct-horse-battery", next_url: str = "/app/"
    ) -> httpx.Response:
        await self.get("/app/login")
        return await self.post("/app/login", {"email": email, "password": password, "next": next_url})

    async def sign_in(self, tenant: Tenant, email: str | None = None) -> None:
        """Sign in as `email` (default: the tenant's admin) and open the overview, failing loudly if refused."""
        signed_in = await self.login(email or tenant.admin_email, tenant.password)
        assert signed_in.status_code == 303, signed_in.text[:300]
        await self.get("/app/")
