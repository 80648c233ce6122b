"""HTTP: the caller's own digest preference."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.exceptions import ClientException
from litestar.params import JSONBody

from kernel.di import DbSession
from service.dependencies import CurrentPrincipal
from service.notifications.models import NotificationPreference
from service.notifications.schemas import NotificationsRead, NotificationsUpdate
from service.notifications.services import PreferenceError, preference_of, set_preference


def _read(pref: NotificationPreference) -> NotificationsRead:
    return NotificationsRead(
        digest=pref.digest,  # type: ignore[arg-type]
        credentials="all" if pref.credential_ids is None else list(pref.credential_ids),
    )


class NotificationsController(Controller):
    path = "/api/v1/me/notifications"
    tags = ["auth"]

    @get("/", operation_id="getMyNotifications", opt={"min_role": "viewer"})
    async def show(self, db_session: DbSession, principal: CurrentPrincipal) -> NotificationsRead:
        return _read(await preference_of(db_session, principal.user_id, principal.org_id))

    @put("/", operation_id="setMyNotifications", opt={"min_role": "viewer"}, raises=[ClientException])
    async def change(
        self, data: JSONBody[NotificationsUpdate], db_session: DbSession, principal: CurrentPrincipal
    ) -> NotificationsRead:
        follow = (
            "keep" if data.credentials is None else (None if data.credentials == "all" else data.credentials)
        )
        try:
            pref = await set_preference(db_session, principal.user_id, principal.org_id, data.digest, follow)
        except PreferenceError as exc:
            raise ClientException(str(exc), status_code=400) from None
        return _read(pref)


route_handlers = [NotificationsController]
