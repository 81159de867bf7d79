"""Outgoing mail. Until a mail provider is configured, invitations and
password resets are written to the log, where a developer running
`make run` can pick them up."""

from __future__ import annotations

import logging

log = logging.getLogger("trellis.mail")


class LogMailer:
    """Writes the token itself only in development: a log is read by more
    people than a mailbox, and the token takes over the account."""

    def __init__(self, *, reveal_tokens: bool) -> None:
        self.reveal_tokens = reveal_tokens

    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        if self.reveal_tokens:
            log.warning(
                "invitation for %s <%s> to %s: accept with token %s",
                name,
                email,
                organization,
                token,
            )
        else:
            log.error(
                "invitation for %s <%s> to %s not delivered: no mail transport is configured",
                name,
                email,
                organization,
            )

    async def send_password_reset(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        if self.reveal_tokens:
            log.warning(
                "password reset for %s <%s> of %s: reset with token %s",
                name,
                email,
                organization,
                token,
            )
        else:
            log.error(
                "password reset for %s <%s> of %s not delivered: no mail transport is configured",
                name,
                email,
                organization,
            )
