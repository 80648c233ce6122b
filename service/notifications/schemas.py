"""Request and response bodies of GET|PUT /api/v1/me/notifications."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kernel.schemas import Input, Output

DigestChoice = Literal["none", "daily", "weekly"]


class NotificationsRead(Output):
    digest: DigestChoice = Field(description="none | daily | weekly (default weekly)")
    credentials: Literal["all"] | list[int] = Field(
        description='"all": every credential of the organisation, new ones too (the default); or the ids '
        "of the credentials followed."
    )


class NotificationsUpdate(Input):
    """Fields left out keep their value."""

    digest: DigestChoice | None = None
    credentials: Literal["all"] | list[int] | None = None
