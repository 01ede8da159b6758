"""Property-based run of every operation of ``/api/openapi.json``: never a server error.

Schemathesis generates valid and invalid requests from the schema and sends them
over HTTP to the real app (on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.comments_api.conftest import ADMIN_TOKEN, Api

pytestmark = pytest.mark.slow
EXAMPLES = 40


def test_no_server_errors_on_any_operation(api: Api) -> None:
    created = api.post("seed comment").json()  # so that some generated ids exist
    api.post("seed reply", parent=created["id"])
    schema = schemathesis.openapi.from_url(api.server.url + "/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    statuses: Counter[int] = Counter()
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                headers={"authorization": f"Bearer {ADMIN_TOKEN}"}, checks=[not_a_server_error]
            )
            statuses[response.status_code] += 1

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing invalid to send (e.g. /health)
    assert not [status for status in statuses if status >= 500]
    accepted = sum(n for status, n in statuses.items() if status < 400)
    assert accepted > 50, statuses  # valid requests got through, not only refusals
