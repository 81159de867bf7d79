"""Unit tests run on plain domain classes: once the ORM maps them (as the
integration and API tests do), instances carry SQLAlchemy state, and the
in-memory fakes would copy it. `make test` runs this folder in a process of
its own."""

from __future__ import annotations

import pytest

from persistence.mapping import is_mapped


@pytest.fixture(autouse=True)
def _domain_is_plain_python() -> None:
    if is_mapped():
        pytest.fail("run tests/unit in a process of its own (see the Makefile)")
