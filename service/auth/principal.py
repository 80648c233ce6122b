"""Who is calling: the authenticated user of a request, with their organisation and role."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_RANK = {"viewer": 0, "designer": 1, "admin": 2}


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    org_id: int
    role: str
    email: str
    via: str  # "token" or "session"

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]
