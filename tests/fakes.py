"""Test doubles for the edges of the system: time and mail. (The database is
never faked in integration and API tests; unit tests have their own
in-memory unit of work in tests/unit/fakes.py.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Time that moves only when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@dataclass
class SentInvitation:
    email: str
    name: str
    organization: str
    token: str


@dataclass
class CapturingMailer:
    invitations: list[SentInvitation] = field(default_factory=list)
    password_resets: list[SentInvitation] = field(default_factory=list)

    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        self.invitations.append(SentInvitation(email, name, organization, token))

    async def send_password_reset(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        self.password_resets.append(SentInvitation(email, name, organization, token))

    def token_for(self, email: str) -> str:
        return next(i.token for i in reversed(self.invitations) if i.email == email)

    def reset_token_for(self, email: str) -> str:
        return next(r.token for r in reversed(self.password_resets) if r.email == email)
