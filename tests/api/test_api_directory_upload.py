"""The directory upload is robust (issue 20): every parse or validation error is a 409
with a one-line reason, never a 500 (900 nested `[` gave a 500 and a 3,000-line
traceback; `territories: abc` gave a 500)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.directory import Deployment, DirectoryError, parse_directory

MINIMAL: dict[str, Any] = {
    "id": "clermont-ferrand",
    "name": "Test",
    "default_route": "desk",
    "roles": [{"id": "desk", "organisation": "ml-cmv", "receives_referrals": True}],
    "organisations": [{"id": "ml-cmv", "name": "ML"}],
    "territories": [{"id": "t", "communes": [{"name": "Riom"}]}],
    "places": [{"id": "hq", "name": "HQ", "territory": "t"}],
    "permanences": [
        {
            "id": "p",
            "service": "s",
            "place": "hq",
            "by_appointment": True,
            "schedule": [{"weekdays": ["monday"], "from": "09:00", "to": "12:00"}],
        }
    ],
    "services": [
        {
            "id": "s",
            "name": "S",
            "organisation": "ml-cmv",
            # Every flow placeholder needs a value (directory_checks.placeholder_problems).
            "template_values": {"cej_allowance": {"money": 552.29}, "cej_year": "2024"},
        }
    ],
    "routing_rules": [{"id": "r", "when": {"topic": "housing"}, "route_to": "desk"}],
    "emergency_contacts": [
        {"id": "c", "number": "15", "label_en": "SAMU", "signals": ["medical_emergency"]}
    ],
}
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "name", "place", "service", "x"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


def _document(deployment: dict[str, Any]) -> str:
    return yaml.safe_dump({"deployments": [deployment]}, allow_unicode=True)


def test_the_minimal_directory_is_sound() -> None:
    assert isinstance(parse_directory(_document(MINIMAL)), Deployment)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(sorted(MINIMAL)), junk=JUNK, nested=st.booleans())
def test_any_junk_is_a_directory_error_or_a_directory(key: str, junk: Any, nested: bool) -> None:
    deployment = dict(MINIMAL)
    if nested and isinstance(MINIMAL[key], list):
        deployment[key] = [{**MINIMAL[key][0], "id": junk} if junk is not None else junk]
    else:
        deployment[key] = junk
    try:
        parse_directory(_document(deployment))
    except DirectoryError as error:
        assert "\n" not in str(error) and len(str(error)) <= 300


@pytest.mark.parametrize(
    "text",
    [
        "[" * 900,
        "[" * 900 + "]" * 900,
        "a: " + "{b: " * 500 + "1" + "}" * 500,
        "deployments:\n  - id: clermont-ferrand\n    territories: abc\n",
        "deployments: 5",
        "deployments: [abc]",
        "deployments: [{id: clermont-ferrand}]",
        "x: &a [1]\ny: [" + ", ".join(["*a"] * 200) + "]",
        "deployments: [{id: clermont-ferrand, name: x, default_route: d, organisations: abc}]",
        "\t- not yaml: [",
        "deployments:\n  - id: clermont-ferrand\n    places: [1, 2]\n",
        _document({**MINIMAL, "organisations": [{"id": "ml-cmv", "name": "ML", "notify": 5}]}),
        _document({**MINIMAL, "permanences": [{"id": "p", "service": "s", "place": "hq"}] * 2}),
    ],
)
async def test_a_bad_directory_is_a_one_line_409(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    text: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    refused = await client.put("/api/v1/directory", json={"yaml": text}, headers=admin_headers)
    assert refused.status_code in (200, 409), refused.text
    if refused.status_code == 409:
        detail = refused.json()["detail"]
        assert detail.startswith("directory refused:") and "\n" not in detail
        assert len(detail) <= 320
    assert "Traceback" not in caplog.text


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.sampled_from(sorted(MINIMAL)), junk=JUNK)
async def test_uploading_junk_never_answers_500(
    client: httpx.AsyncClient, admin_headers: dict[str, str], key: str, junk: Any
) -> None:
    text = _document({**MINIMAL, key: junk})
    answer = await client.put("/api/v1/directory", json={"yaml": text}, headers=admin_headers)
    assert answer.status_code in (200, 409), answer.text
