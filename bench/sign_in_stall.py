"""Benchmark: does a flood of sign-ins stall everyone else?

    .venv/bin/python -m bench.sign_in_stall [--sign-ins 20] [--probers 5] [--seconds 10] [--rounds 2]

Seeds an organization with one member, then serves it twice, the same app
with two password hashers:

- on the loop: argon2 (pwdlib) called on the event loop, as sign-in did
  before issue 14: while it verifies, the server answers nothing else;
- pool: the server's own hasher, argon2 in a bounded pool of threads off
  the loop (`TRELLIS_PASSWORD_HASH_CONCURRENCY`, default the CPU count).

Each phase keeps `--sign-ins` sign-ins in flight, each with a new unknown
email (one verification, as a wrong password costs) from a new address
that a trusted proxy forwards, as a crowd of attackers would come: the
throttle, which stops any one client or account, lets every one of them be
checked, so what is measured is the stall, not the throttle; while `--probers` clients ask `/healthz` (which touches nothing) again and
again, each as soon as it has its answer, for `--seconds`. The phases run
interleaved A B A B on the noisy machine; prints each phase's `/healthz`
latencies and sign-ins answered, then both variants' pooled figures and the
ratio (on the loop / pool).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from dataclasses import dataclass, field
from ipaddress import IPv4Address

import httpx
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.app import create_app
from api.context import Services
from api.security import argon2_hasher
from bench.harness import database, seed, server
from domain.services.organizations import found_organization

EMAIL = "founder@bench.example.com"
PASSWORD = "the founder's passphrase"
SIGN_IN = """
mutation ($email: String!, $password: String!) {
  signIn(input: { email: $email, password: $password }) { __typename }
}
"""
PROXIED = {
    "TRELLIS_TRUSTED_PROXIES": "127.0.0.1",
    "TRELLIS_MAX_OPERATION_COST": str(10**12),
    "TRELLIS_COST_BUDGET_PER_MINUTE": str(10**12),
}
"""This process is the proxy, forwarding each attempt for another address;
cost budgets (per address too) are not what this measures."""
VARIANTS = {
    "on the loop": "bench.sign_in_stall:on_loop_app",
    "pool": "bench.sign_in_stall:pooled_app",
}


class OnLoopHasher:
    """The hasher before issue 14: the blocking argon2 call, on the loop."""

    def __init__(self) -> None:
        self._argon2 = PasswordHash((Argon2Hasher(),))
        self._dummy = self._argon2.hash("an unknown account spends the same time")

    async def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return self._argon2.verify(password, password_hash)

    async def verify_dummy(self, password: str) -> None:
        self._argon2.verify(password, self._dummy)


def on_loop_app() -> FastAPI:
    return create_app(hasher=OnLoopHasher(), run_jobs=False)


def pooled_app() -> FastAPI:
    return create_app(run_jobs=False)


async def seed_founder(services: Services) -> None:
    async with services.uow_factory() as uow:
        await found_organization(
            uow,
            argon2_hasher(),
            name="Bench",
            slug="bench",
            founder_name="Bench Founder",
            founder_handle="founder",
            founder_email=EMAIL,
            founder_timezone="Europe/Berlin",
            founder_password=PASSWORD,
            now=services.clock.now(),
        )
        await uow.commit()


@dataclass
class Phase:
    health: list[float] = field(default_factory=list)
    sign_ins: int = 0
    errors: int = 0
    seconds: float = 0.0


_phases = itertools.count()
"""Each phase's attempts come from addresses and emails of their own."""


def pct(latencies: list[float], p: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def describe(phase: Phase) -> str:
    return (
        f"/healthz p50 {pct(phase.health, 0.5):7.1f} ms, p99 {pct(phase.health, 0.99):7.1f} ms, "
        f"max {max(phase.health) * 1000:7.1f} ms ({len(phase.health)} probes); "
        f"{phase.sign_ins / phase.seconds:5.1f} sign-ins/s, errors {phase.errors}"
    )


async def measure(base: str, *, sign_ins: int, probers: int, seconds: float) -> Phase:
    """Each prober asks again as soon as it has its answer. (Probes sent at a
    fixed rate instead pile up on the stalled server until none comes back
    within minutes.)"""
    phase = Phase()
    attempts = itertools.count(next(_phases) * 10_000_000)
    connections = sign_ins + probers
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
        stop = asyncio.Event()

        async def signer(i: int) -> None:
            while not stop.is_set():
                n = next(attempts)
                email = f"nobody{n}@bench.example.com"
                response = await client.post(
                    "/graphql",
                    json={"query": SIGN_IN, "variables": {"email": email, "password": "wrong!"}},
                    headers={"x-forwarded-for": str(IPv4Address("10.0.0.0") + n)},
                )
                body = response.json()
                if body.get("data", {}).get("signIn", {}).get("__typename") != (
                    "AuthenticationError"
                ):
                    phase.errors += 1
                phase.sign_ins += 1

        async def prober() -> None:
            while time.perf_counter() - started < seconds:
                sent = time.perf_counter()
                response = await client.get("/healthz")
                phase.health.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    phase.errors += 1
                await asyncio.sleep(0.01)

        signers = [asyncio.create_task(signer(i)) for i in range(sign_ins)]
        await asyncio.sleep(0.5)  # every sign-in in flight
        started = time.perf_counter()
        await asyncio.gather(*(prober() for _ in range(probers)))
        phase.seconds = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*signers)
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=20, help="sign-ins kept in flight")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds")
    parser.add_argument("--probers", type=int, default=5, help="clients asking /healthz")
    args = parser.parse_args()

    with database() as (settings, db):
        asyncio.run(seed(settings, db.url, seed_founder))
        with (
            server(db.url, settings=PROXIED, factory=VARIANTS["on the loop"]) as on_loop,
            server(db.url, settings=PROXIED, factory=VARIANTS["pool"]) as pool,
        ):
            bases = {"on the loop": on_loop, "pool": pool}
            for base in bases.values():  # warm up: imports, connections, pools
                asyncio.run(measure(base, sign_ins=2, probers=1, seconds=1))
            phases: dict[str, list[Phase]] = {name: [] for name in bases}
            for round_ in range(1, args.rounds + 1):
                for name, base in bases.items():
                    phase = asyncio.run(
                        measure(
                            base,
                            sign_ins=args.sign_ins,
                            seconds=args.seconds,
                            probers=args.probers,
                        )
                    )
                    phases[name].append(phase)
                    print(f"round {round_} {name:>11}: {describe(phase)}", flush=True)

    print()
    pooled = {
        name: Phase(
            health=[h for p in ps for h in p.health],
            sign_ins=sum(p.sign_ins for p in ps),
            errors=sum(p.errors for p in ps),
            seconds=sum(p.seconds for p in ps),
        )
        for name, ps in phases.items()
    }
    for name, phase in pooled.items():
        print(f"all {name:>11}: {describe(phase)}")
    old, new = pooled["on the loop"], pooled["pool"]
    print(
        f"ratio on the loop / pool: /healthz p50 {pct(old.health, 0.5) / pct(new.health, 0.5):.1f}x"
        f", p99 {pct(old.health, 0.99) / pct(new.health, 0.99):.1f}x, mean "
        f"{statistics.fmean(old.health) / statistics.fmean(new.health):.1f}x; sign-ins/s "
        f"{(old.sign_ins / old.seconds) / (new.sign_ins / new.seconds):.2f}x"
    )


if __name__ == "__main__":
    main()
