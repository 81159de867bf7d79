"""A real server process, started the way an operator would: the `trellis`
console script, configured through the environment, talked to over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.demo import DEMO_PASSWORD

ADA = "ada.lindqvist@demo.trellis.example"
DEMO_PEOPLE = 40
STARTUP_TIMEOUT = 30.0


def _trellis() -> Path:
    """The console script installed next to this interpreter (api/cli.py has
    no `python -m` entry point)."""
    script = Path(sys.executable).parent / "trellis"
    assert script.exists(), f"no trellis console script at {script}; run `make install`"
    return script


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    env["TRELLIS_DATABASE_URL"] = database_url
    return env


def _seed_demo(env: dict[str, str]) -> str:
    completed = subprocess.run(
        [str(_trellis()), "seed-demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base_url = base_url
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server was not healthy within {STARTUP_TIMEOUT} s:\n{server.output()}")


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return _environment(database_url)


@pytest.fixture
def first_seed(env: dict[str, str]) -> str:
    """The demo, loaded into the fresh database before the server starts."""
    return _seed_demo(env)


@pytest.fixture
def server(first_seed: str, env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with _serve(env, tmp_path / "server.log") as running:
        yield running


@contextmanager
def _serve(env: dict[str, str], log: Path) -> Iterator[Server]:
    port = _free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(_trellis()), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_healthy(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


SIGN_IN = """
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    __typename
    ... on SessionSuccess { accessToken refreshToken viewer { name } }
    ... on Error { code message }
  }
}
"""

COUNT_PEOPLE = """
query Count($after: String) {
  people(first: 100, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _count_people(server: Server, token: str) -> int:
    count, after = 0, None
    while True:
        body = server.graphql(COUNT_PEOPLE, {"after": after}, token=token)
        assert "errors" not in body, (body, server.output()[-4000:])
        page = body["data"]["people"]
        count += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return count
        after = page["pageInfo"]["endCursor"]


def test_real_server_end_to_end(server: Server, first_seed: str, env: dict[str, str]) -> None:
    assert f"{DEMO_PEOPLE} people" in first_seed

    assert httpx.get(f"{server.base_url}/readyz", timeout=5).status_code == 200

    anonymous = server.graphql("{ viewer { id } }")
    assert anonymous["data"] is None or anonymous["data"]["viewer"] is None
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]

    wrong = server.graphql(SIGN_IN, {"input": {"email": ADA, "password": "not the password"}})
    assert wrong["data"]["signIn"]["__typename"] == "AuthenticationError"

    signed_in = server.graphql(SIGN_IN, {"input": {"email": ADA, "password": DEMO_PASSWORD}})
    session = signed_in["data"]["signIn"]
    assert session["__typename"] == "SessionSuccess", session
    assert session["accessToken"]
    assert session["refreshToken"]
    assert session["viewer"]["name"] == "Ada Lindqvist"
    token = session["accessToken"]

    viewer = server.graphql("{ viewer { id name } }", token=token)
    assert "errors" not in viewer, viewer
    assert viewer["data"]["viewer"]["name"] == "Ada Lindqvist"
    assert viewer["data"]["viewer"]["id"]

    assert _count_people(server, token) == DEMO_PEOPLE
    teams_before = server.graphql("{ teams(first: 100) { edges { node { id } } } }", token=token)
    assert teams_before["extensions"]["cost"]["requested"] == 102

    # Seeding again (while the server runs) finds the demo and leaves it alone.
    second_seed = _seed_demo(env)
    assert "already loaded" in second_seed
    assert _count_people(server, token) == DEMO_PEOPLE
    teams_after = server.graphql("{ teams(first: 100) { edges { node { id } } } }", token=token)
    assert teams_after["data"] == teams_before["data"]

    assert server.process.poll() is None, server.output()


def test_a_real_server_does_not_take_the_client_from_a_forwarded_for_header(
    server: Server,
) -> None:
    """uvicorn on its own trusts X-Forwarded-For from 127.0.0.1; `trellis
    serve` must not, or a guesser on the proxy's host (or any local client)
    would be a new client with every header. Ten wrong passwords, each
    "forwarded for" another address, are ten failures of one client at the
    account: it is blocked after its free failures (blocks of 1, 2, 4, 8 s
    that no attempt outlasts here)."""
    nora = "nora.eriksen@demo.trellis.example"
    codes = []
    for n in range(10):
        response = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": SIGN_IN, "variables": {"input": {"email": nora, "password": "guess"}}},
            headers={"x-forwarded-for": f"203.0.113.{n + 1}"},
            timeout=10,
        )
        codes.append(response.json()["data"]["signIn"]["code"])
    assert codes[:6] == ["INVALID_CREDENTIALS"] * 6
    assert "TOO_MANY_ATTEMPTS" in codes[6:], codes


def test_a_real_server_believes_no_proxy_unless_configured(
    env: dict[str, str], tmp_path: Path
) -> None:
    """uvicorn alone would take X-Forwarded-Proto from 127.0.0.1 as the
    truth; Trellis believes only TRELLIS_TRUSTED_PROXIES, so a local client
    claiming HTTPS gets no HSTS until that proxy is configured. The security
    headers come with every answer."""
    forwarded = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}
    with _serve(env, tmp_path / "plain.log") as server:
        answer = httpx.get(f"{server.base_url}/healthz", headers=forwarded, timeout=5)
        assert "strict-transport-security" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"
    proxied = {**env, "TRELLIS_TRUSTED_PROXIES": "127.0.0.1"}
    with _serve(proxied, tmp_path / "proxied.log") as server:
        answer = httpx.get(f"{server.base_url}/healthz", headers=forwarded, timeout=5)
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
