"""What the lessons compute their answers from: the bundled synthetic register of XX City
and the figure registries of the periods the lessons use, each built once.

Every expected answer comes from here, through the package's tested functions; nothing is
typed in except the figures a question itself states (such as those of the city's 2019
work summary, 工作总结).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

__all__ = ["reference", "registry", "year_to_date", "monthly_items", "lesson3_pvalues",
           "SUMMARY_ITEMS", "SUMMARY_PERSON_TIMES", "AS_OF", "CAMPAIGN_START"]

#: The city's 2019 work summary: 28,792 items (批次) and 28,797 person-times, 1 Jan – 20 Dec.
SUMMARY_ITEMS = 28792
SUMMARY_PERSON_TIMES = 28797
AS_OF = "2019-12-20"
#: The special campaign (专项治理) against visits to Beijing and the province began here.
CAMPAIGN_START = "2019-01-01"
#: The day the bundled register was extracted.
EXTRACTION = "2023-12-31"


@functools.cache
def reference() -> pd.DataFrame:
    """The bundled synthetic register (read once; do not modify it)."""
    from ..reference import load_reference

    return load_reference()


@functools.cache
def registry(year: int = 2019, as_of: str | None = AS_OF, quarter: int | None = None):
    """The figure registry of an annual (or quarterly) report, built once."""
    from ..analysis.registry import build_registry

    if quarter is not None:
        return build_registry(reference(), kind="quarterly", year=year, quarter=quarter)
    return build_registry(reference(), year=year, as_of=as_of)


def year_to_date(year: int, end: str = "12-20", *, inclusive: bool = True) -> pd.DataFrame:
    """Rows received from 1 January of ``year`` to ``end`` (inclusive unless told)."""
    d = reference()["received_date"]
    stop = pd.Timestamp(f"{year}-{end}")
    keep = (d >= f"{year}-01-01") & ((d <= stop) if inclusive else (d < stop))
    return reference()[keep]


def national_visits(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["channel"] == "visit") & (df["level"] == "national")]


@functools.cache
def monthly_items(start: str = "2014-01", end: str = "2018-12") -> pd.Series:
    """Items per calendar month from ``start`` to ``end`` (inclusive)."""
    from ..analysis.stats import monthly_counts

    return monthly_counts(reference()["received_date"])[start:end]


@functools.cache
def monthly_national_visits() -> pd.Series:
    """National-level visits (进京访, items) per month, 2014–2023."""
    from ..analysis.stats import monthly_counts

    d = national_visits(reference())["received_date"]
    return monthly_counts(d, start="2014-01-01", end="2023-12-31")


@functools.cache
def _pvalues(seed: int, n_null: int, n_real: int) -> np.ndarray:
    from scipy import stats

    rng = np.random.default_rng(seed)
    expected = np.full(n_null + n_real, 40.0)
    observed = rng.poisson(np.r_[expected[:n_null], expected[n_null:] * 1.8])
    return stats.poisson.sf(observed - 1, expected)


#: Lesson 3's simulated scan: cells with no effect, and cells with a real excess of 80 %.
LESSON3_NULL, LESSON3_REAL, LESSON3_SEED = 200, 10, 4


def lesson3_pvalues() -> np.ndarray:
    """p-values of lesson 3's simulated scan (one-sided Poisson tests, expected 40 per cell):
    ``LESSON3_NULL`` cells with no effect, then ``LESSON3_REAL`` with a real excess. A copy,
    so a student's changes do not stick.

    >>> p = lesson3_pvalues(); p[:] = 0; bool((lesson3_pvalues() > 0).all())
    True
    """
    return _pvalues(LESSON3_SEED, LESSON3_NULL, LESSON3_REAL).copy()
