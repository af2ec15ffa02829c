"""Shared fixtures. The reference data is read once per session; tests must not modify it."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis import reference


@pytest.fixture(scope="session")
def reference_df() -> pd.DataFrame:
    """The bundled reference register (data/reference), read once."""
    return reference.load_reference()


@pytest.fixture(scope="session")
def reference_manifest() -> dict:
    return reference.load_manifest()


@pytest.fixture()
def ref(reference_df) -> pd.DataFrame:
    """A private copy of the reference register for tests that modify it."""
    return reference_df.copy()
