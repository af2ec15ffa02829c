"""Errors that cross a process boundary (a dataset worker, a Dask task on a cluster) arrive
whole: the same class, one-paragraph message and fix."""

from __future__ import annotations

import pickle

import pytest

from petition_analysis import errors


@pytest.mark.parametrize("cls", [errors.StructuralError, errors.UnreadableFileError, errors.EmptyInputError,
                                 errors.HeaderNotFoundError, errors.MissingColumnsError, errors.MappingError])
@pytest.mark.parametrize("source", ["exports/2019.xlsx#Sheet1", ""])
def test_structural_errors_survive_pickling(cls, source):
    err = cls(source, "no register header in the first 30 rows", hint="Map the headers (docs/mapping.md).")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and isinstance(back, ValueError)
    assert (back.source, back.problem, back.hint, str(back)) == (err.source, err.problem, err.hint, str(err))


def test_a_structural_error_from_a_worker_process_keeps_its_message():
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp

    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        fut = pool.submit(_raise_header_not_found, "big.csv")
        with pytest.raises(errors.HeaderNotFoundError, match=r"^big\.csv: no header\. Give a mapping\.$"):
            fut.result(timeout=120)


def _raise_header_not_found(source: str):
    raise errors.HeaderNotFoundError(source, "no header", hint="Give a mapping.")
