"""HTTP: who am I, my API tokens, and the organisation's users (admin)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, JSONBody

from kernel.di import DbSession
from service.auth import users
from service.auth.schemas import (
    MeRead,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from service.auth.services import (
    AuthError,
    EmailTaken,
    TokenNotFound,
    create_user,
    issue_token,
    list_tokens,
    organisation,
    revoke_token,
)
from service.dependencies import CurrentPrincipal


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @get("/me", operation_id="getMe", raises=[])
    async def me(self, db_session: DbSession, principal: CurrentPrincipal) -> MeRead:
        org = await organisation(db_session, principal.org_id)
        return MeRead(
            user_id=principal.user_id,
            org_id=principal.org_id,
            organisation=org.name if org else "",
            email=principal.email,
            role=principal.role,
        )

    @get("/tokens", operation_id="listTokens")
    async def list_tokens(self, db_session: DbSession, principal: CurrentPrincipal) -> list[TokenRead]:
        rows = await list_tokens(db_session, principal.org_id, principal.user_id)
        return [TokenRead.model_validate(r) for r in rows]

    @post("/tokens", operation_id="createToken", opt={"min_role": "viewer"})
    async def create_token(
        self, data: JSONBody[TokenCreate], db_session: DbSession, principal: CurrentPrincipal
    ) -> TokenIssued:
        user = await users.get_user(db_session, principal.org_id, principal.user_id)
        issued = await issue_token(db_session, user, name=data.name)
        return TokenIssued(token=issued.token, **TokenRead.model_validate(issued.record).model_dump())

    @delete(
        "/tokens/{token_id:int}",
        operation_id="revokeToken",
        opt={"min_role": "viewer"},
        raises=[NotFoundException],
    )
    async def revoke_token(
        self, token_id: FromPath[int], db_session: DbSession, principal: CurrentPrincipal
    ) -> None:
        try:
            await revoke_token(db_session, principal.org_id, principal.user_id, token_id)
        except TokenNotFound as exc:
            raise NotFoundException(str(exc)) from None

    @get("/users", operation_id="listUsers", opt={"min_role": "admin"})
    async def list_users(self, db_session: DbSession, principal: CurrentPrincipal) -> list[UserRead]:
        rows = await users.list_users(db_session, principal.org_id)
        return [UserRead.model_validate(r) for r in rows]

    @post("/users", operation_id="createUser", opt={"min_role": "admin"}, raises=[ClientException])
    async def add_user(
        self, data: JSONBody[UserCreate], db_session: DbSession, principal: CurrentPrincipal
    ) -> UserRead:
        org = await organisation(db_session, principal.org_id)
        try:
            user = await create_user(db_session, org, str(data.email), data.role, data.password, data.name)
        except AuthError as exc:
            raise ClientException(str(exc), status_code=409 if isinstance(exc, EmailTaken) else 400) from None
        return UserRead.model_validate(user)

    @patch(
        "/users/{user_id:int}",
        operation_id="updateUser",
        opt={"min_role": "admin"},
        raises=[ClientException, NotFoundException],
    )
    async def update_user(
        self,
        user_id: FromPath[int],
        data: JSONBody[UserUpdate],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> UserRead:
        """The dashboard's user admin as an API (the same service); 409 for the last active admin."""
        try:
            user = await users.get_user(db_session, principal.org_id, user_id)
            if data.role is not None:
                user = await users.change_role(db_session, principal.org_id, user_id, data.role)
            if data.is_active is not None:
                user = await users.set_active(db_session, principal.org_id, user_id, data.is_active)
        except users.UserNotFound as exc:
            raise NotFoundException(str(exc)) from None
        except AuthError as exc:
            status = 409 if isinstance(exc, users.LastAdmin) else 400
            raise ClientException(str(exc), status_code=status) from None
        return UserRead.model_validate(user)


route_handlers = [AuthController]
