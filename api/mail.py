"""Outgoing mail. Until a mail provider is configured, invitations are
written to the log, where a developer running `make run` can pick them up."""

from __future__ import annotations

import logging

log = logging.getLogger("trellis.mail")


class LogMailer:
    async def send_invitation(
        self, *, email: str, name: str, organization: str, token: str
    ) -> None:
        log.warning(
            "invitation for %s <%s> to %s: accept with token %s", name, email, organization, token
        )
