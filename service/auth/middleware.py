"""Authentication: `Authorization: Bearer` for the API, a signed session cookie for the dashboard."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from service.auth.services import principal_for_session, principal_for_token

# Paths that answer without a caller: health, the OpenAPI document, the public survey form, the login page,
# static files. Everything else needs a principal.
PUBLIC_PATHS = [
    "^/health$",
    "^/health/ready$",
    "^/schema",
    "^/s/",
    "^/app/login",
    "^/app/notifications/unsubscribe/",
    "^/static/",
    "^/favicon",
]
SESSION_USER_KEY = "user_id"
SESSION_VERSION_KEY = "sv"  # the user's session_version when the cookie was issued


def session_data_for(user_id: int, session_version: int) -> dict[str, int]:
    """What a signed-in session cookie holds."""
    return {SESSION_USER_KEY: user_id, SESSION_VERSION_KEY: session_version}


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        maker = connection.app.state.sessionmaker
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException("Authorization header must be 'Bearer <token>'")
            async with maker() as session:
                principal = await principal_for_token(session, token.strip())
                await session.commit()
            if principal is None:
                raise NotAuthorizedException("unknown or revoked API token")
            return AuthenticationResult(user=principal, auth=token)
        if not connection.scope["path"].startswith("/api/"):
            session_data = connection.scope.get("session") or {}
            user_id = session_data.get(SESSION_USER_KEY) if isinstance(session_data, dict) else None
            if isinstance(user_id, int):
                async with maker() as session:
                    principal = await principal_for_session(
                        session, user_id, session_data.get(SESSION_VERSION_KEY)
                    )
                if principal is not None:
                    return AuthenticationResult(user=principal, auth="session")
        raise NotAuthorizedException("authentication required: send 'Authorization: Bearer <token>'")
