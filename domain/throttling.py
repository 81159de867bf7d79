"""Throttling of attempts to prove a secret: signing in, refreshing a
session, accepting an invitation.

Each attempt is counted under a few keys, each with its own counter of
recent failures. After a key's free failures every further failure blocks
it for a growing delay (1 s, doubling, up to the key's cap); an attempt
under a blocked key is refused with the moment it may be tried again, and
runs no password check. Failures are forgotten after a quiet window.

Signing in is counted per account and client address together (strict:
someone guessing from one address), per account (loose and short: someone
guessing from many), and per client address (loose: one address trying
many accounts). A client that signed in to the account successfully in the
last 90 days (`KNOWN_GOOD_FOR`) is known-good there: only the strict
per-account-and-client counter applies to it. So an attacker hammering an
account from many addresses blocks strangers for at most the account's cap
(5 minutes), and never its owner at an address they signed in from before.
Unknown emails are counted exactly like known ones: a refusal says nothing
about whether an account exists.

Refresh tokens and invitation tokens are 256 random bits; guessing one is
hopeless, so those are counted per client address only, as a brake on
floods of invalid tokens.

An attempt is counted as a failure when it is let through, before its
password is checked (a reservation), and given back when it turns out to
succeed (or to fail for another reason than its secret): so simultaneous
attempts cannot slip past the limit together, and no more password checks
run than the limit allows.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.errors import TooManyAttempts
from domain.validation import fold_email

FIRST_DELAY = timedelta(seconds=1)
LONGEST_DELAY = timedelta(minutes=15)
"""No key is ever blocked longer than this after its last failure (the
database checks it too)."""
KNOWN_GOOD_FOR = timedelta(days=90)
"""How long a successful sign-in vouches for its client at that account."""
EXPIRED = datetime.min.replace(tzinfo=UTC)
"""When a counter that never counted anything expires: at once."""


class Scope(enum.Enum):
    """What a key counts."""

    SIGN_IN_ACCOUNT_CLIENT = "SIGN_IN_ACCOUNT_CLIENT"
    SIGN_IN_ACCOUNT = "SIGN_IN_ACCOUNT"
    SIGN_IN_CLIENT = "SIGN_IN_CLIENT"
    REFRESH_CLIENT = "REFRESH_CLIENT"
    INVITATION_CLIENT = "INVITATION_CLIENT"
    PASSWORD_CHANGE_ACCOUNT = "PASSWORD_CHANGE_ACCOUNT"
    PASSWORD_RESET_CLIENT = "PASSWORD_RESET_CLIENT"
    RESET_MAIL_EMAIL = "RESET_MAIL_EMAIL"
    RESET_MAIL_CLIENT = "RESET_MAIL_CLIENT"


@dataclass(frozen=True)
class Limit:
    free: int
    """Failures in a row without any delay."""
    cap: timedelta
    """The longest delay: how long, at most, a key stays blocked."""
    window: timedelta
    """Failures older than this (since the last one) are forgotten."""

    def delay(self, failures: int) -> timedelta:
        """How long a key is blocked after its `failures`-th failure."""
        if failures <= self.free:
            return timedelta(0)
        doublings = min(failures - self.free - 1, 30)
        return min(FIRST_DELAY * 2**doublings, self.cap)


LIMITS: Mapping[Scope, Limit] = {
    Scope.SIGN_IN_ACCOUNT_CLIENT: Limit(
        free=5, cap=timedelta(minutes=15), window=timedelta(hours=24)
    ),
    Scope.SIGN_IN_ACCOUNT: Limit(free=10, cap=timedelta(minutes=5), window=timedelta(hours=1)),
    Scope.SIGN_IN_CLIENT: Limit(free=30, cap=timedelta(minutes=5), window=timedelta(hours=1)),
    Scope.REFRESH_CLIENT: Limit(free=30, cap=timedelta(minutes=5), window=timedelta(hours=1)),
    Scope.INVITATION_CLIENT: Limit(free=10, cap=timedelta(minutes=5), window=timedelta(hours=1)),
    # Someone holding a signed-in device guessing its owner's password.
    Scope.PASSWORD_CHANGE_ACCOUNT: Limit(
        free=5, cap=timedelta(minutes=15), window=timedelta(hours=24)
    ),
    Scope.PASSWORD_RESET_CLIENT: Limit(
        free=10, cap=timedelta(minutes=5), window=timedelta(hours=1)
    ),
    # Every request for a reset mail counts: a flood of mails to one inbox
    # slows to one per quarter of an hour, whatever the addresses.
    Scope.RESET_MAIL_EMAIL: Limit(free=3, cap=timedelta(minutes=15), window=timedelta(hours=24)),
    Scope.RESET_MAIL_CLIENT: Limit(free=10, cap=timedelta(minutes=5), window=timedelta(hours=1)),
}


@dataclass(frozen=True)
class ThrottleKey:
    scope: Scope
    digest: str
    """A keyed hash (HMAC-SHA256, hex) of what the key stands for: the
    table keeps no email or address in the clear."""

    @property
    def order(self) -> tuple[str, str]:
        """The order keys are locked in, the same for every attempt."""
        return (self.scope.value, self.digest)


@dataclass(frozen=True)
class Counter:
    """One key's recent failures, and for a sign-in's account and client
    the last success there."""

    key: ThrottleKey
    failures: int = 0
    last_failure_at: datetime | None = None
    blocked_until: datetime | None = None
    last_success_at: datetime | None = None

    @property
    def limit(self) -> Limit:
        return LIMITS[self.key.scope]

    def blocked(self, now: datetime) -> bool:
        return self.blocked_until is not None and now < self.blocked_until

    def known_good(self, now: datetime) -> bool:
        return self.last_success_at is not None and now - self.last_success_at < KNOWN_GOOD_FOR

    def failed(self, now: datetime) -> Counter:
        """One failure more (the first again after a quiet window)."""
        recent = self.last_failure_at is not None and now - self.last_failure_at < self.limit.window
        failures = self.failures + 1 if recent else 1
        return replace(
            self, failures=failures, last_failure_at=now, blocked_until=self._block(failures, now)
        )

    def given_back(self) -> Counter:
        """One reserved failure less: the attempt did not fail on its secret."""
        failures = max(self.failures - 1, 0)
        if self.last_failure_at is None:
            return replace(self, failures=failures)
        return replace(
            self, failures=failures, blocked_until=self._block(failures, self.last_failure_at)
        )

    def succeeded(self, now: datetime) -> Counter:
        """The client proved the secret here: its failures are forgiven, and
        it is known-good from now on."""
        return replace(
            self, failures=0, last_failure_at=None, blocked_until=None, last_success_at=now
        )

    def _block(self, failures: int, since: datetime) -> datetime | None:
        delay = self.limit.delay(failures)
        return since + delay if delay else None

    @property
    def expires_at(self) -> datetime:
        """When the counter says nothing any more and may be removed: its
        failures forgotten, its block over, its success too old to vouch."""
        moments = [
            self.blocked_until,
            self.last_failure_at and self.last_failure_at + self.limit.window,
            self.last_success_at and self.last_success_at + KNOWN_GOOD_FOR,
        ]
        return max((moment for moment in moments if moment is not None), default=EXPIRED)


class Outcome(enum.Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    """The secret was wrong (or the token not valid): the failure stays counted."""
    NOT_JUDGED = "NOT_JUDGED"
    """Refused for another reason (a weak new password...): nothing to count."""


@dataclass(frozen=True)
class Attempt:
    keys: tuple[ThrottleKey, ...]
    trusted_by: ThrottleKey | None = None
    """The key whose recent success lets an attempt past all the others."""

    def admit(self, counters: Mapping[ThrottleKey, Counter], now: datetime) -> Admission:
        """The attempt counted as a failure under every key that applies to
        it, or `TooManyAttempts` until the last of its blocks ends."""
        applicable = [counters[key] for key in self.keys]
        if self.trusted_by is not None and counters[self.trusted_by].known_good(now):
            applicable = [counters[self.trusted_by]]
        blocks = [c.blocked_until for c in applicable if c.blocked_until and c.blocked(now)]
        if blocks:
            raise TooManyAttempts(retry_at=max(blocks), now=now)
        return Admission(
            counters=tuple(counter.failed(now) for counter in applicable),
            trusted_by=self.trusted_by,
        )


@dataclass(frozen=True)
class Admission:
    """An attempt let through, with its failure reserved under `counters`."""

    counters: tuple[Counter, ...]
    trusted_by: ThrottleKey | None

    @property
    def keys(self) -> tuple[ThrottleKey, ...]:
        return tuple(counter.key for counter in self.counters)

    def settle(self, counter: Counter, outcome: Outcome, now: datetime) -> Counter:
        """A reserved counter once the attempt's outcome is known."""
        if outcome is Outcome.FAILED:
            return counter
        if outcome is Outcome.SUCCEEDED and counter.key == self.trusted_by:
            return counter.succeeded(now)
        return counter.given_back()


class AttemptKeys:
    """The keys of each kind of attempt. Keys are keyed hashes (with a
    server secret), so the stored counters do not say which account was
    tried from which address to anyone without the secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign_in(self, email: str, client: str) -> Attempt:
        account = fold_email(email)
        both = self._key(Scope.SIGN_IN_ACCOUNT_CLIENT, account, client)
        return Attempt(
            keys=(
                both,
                self._key(Scope.SIGN_IN_ACCOUNT, account),
                self._key(Scope.SIGN_IN_CLIENT, client),
            ),
            trusted_by=both,
        )

    def refresh(self, client: str) -> Attempt:
        return Attempt(keys=(self._key(Scope.REFRESH_CLIENT, client),))

    def invitation(self, client: str) -> Attempt:
        return Attempt(keys=(self._key(Scope.INVITATION_CLIENT, client),))

    def password_change(self, person_id: UUID) -> Attempt:
        return Attempt(keys=(self._key(Scope.PASSWORD_CHANGE_ACCOUNT, str(person_id)),))

    def password_reset(self, client: str) -> Attempt:
        return Attempt(keys=(self._key(Scope.PASSWORD_RESET_CLIENT, client),))

    def reset_mail(self, email: str, client: str) -> Attempt:
        return Attempt(
            keys=(
                self._key(Scope.RESET_MAIL_EMAIL, fold_email(email)),
                self._key(Scope.RESET_MAIL_CLIENT, client),
            )
        )

    def _key(self, scope: Scope, *parts: str) -> ThrottleKey:
        message = "\x1f".join((scope.value, *parts)).encode()
        return ThrottleKey(scope, hmac.new(self._secret, message, hashlib.sha256).hexdigest())
