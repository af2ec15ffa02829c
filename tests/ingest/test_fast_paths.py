"""The byte-level fast paths of cleaning (issue 14) give what the slower, obvious code
gives, checked over every Unicode code point rather than on sample data: a prefilter may
pick extra values, never miss one."""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from petition_analysis.ingest import cleaning, io, parse
from petition_analysis.ingest.parse import _PY_SPACE


@pytest.fixture(scope="module")
def every_character() -> pa.Array:
    """Each code point alone, after a letter, before a letter and after a space."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    return pa.array(chars + ["x" + c for c in chars[::3]] + [c + "x" for c in chars[::3]] + [" " + c for c in chars[::7]]
                    + ["\u3000" + c for c in chars[::11]] + [c + "计" for c in "合小总本累"] + ["", "  ", " \u3000 ", None],
                    pa.large_string())


def test_invisible_prefilter_misses_no_invisible_character(every_character):
    exact = pc.fill_null(pc.match_substring_regex(every_character, io.INVISIBLE), False).to_numpy(zero_copy_only=False)
    picked = io.rows_with_bytes(every_character, io._INVISIBLE_LEADS)
    assert exact.sum() > 80 and not (exact & ~picked).any()
    assert picked.mean() < 0.05  # and it is a prefilter: most values are not picked


def test_rows_with_bytes_on_a_slice_counts_the_slice_only():
    arr = pa.array(["\x07a", "b", "c\x07", "d"], pa.large_string())
    assert io.rows_with_bytes(arr.slice(1, 2), io._INVISIBLE_LEADS).tolist() == [False, True]


def test_layout_flags_agree_with_trim_and_total_regex(every_character):
    trimmed = pc.utf8_trim_whitespace(every_character)
    nonempty = pc.fill_null(pc.greater(pc.binary_length(trimmed), 0), False).to_numpy(zero_copy_only=False)
    total = pc.fill_null(pc.match_substring_regex(trimmed, cleaning._TOTAL_FIRST), False).to_numpy(zero_copy_only=False)
    got_nonempty, got_candidate = cleaning._layout_flags(every_character)
    assert (got_nonempty == nonempty).all()
    assert total.sum() > 1000 and not (total & ~got_candidate).any()
    assert (got_candidate & ~total).sum() < 0.01 * len(total)


def test_layout_flags_of_a_slice_equal_those_of_the_whole(every_character):
    whole = cleaning._layout_flags(every_character)
    part = cleaning._layout_flags(every_character.slice(1000, 5000))
    assert (part[0] == whole[0][1000:6000]).all() and (part[1] == whole[1][1000:6000]).all()


def test_py_space_is_pythons_whitespace_class():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    python = np.array([bool(re.fullmatch(r"\s", c)) for c in chars])
    re2 = pc.match_substring_regex(pa.array(chars), "^" + _PY_SPACE[:-1] + "$").to_numpy(zero_copy_only=False)
    assert (python == re2).all()


def test_day_parts_in_re2_equal_pythons_regex():
    rng = random.Random(7)
    alphabet = list("0123456789-: t.x\n") + ["٣", "߂", "１"]
    values = ["2019-3-5", "2019-3-5 14:2", "2019-03-05 14:02:03.5", "2019-3-5 ١٢:٣٠", "٢٠١٩-3-5", "2019-3-5\n", None, ""]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 20))) for _ in range(20_000)]
    values += [f"2019-{rng.randint(0, 20)}-{rng.randint(0, 40)} {rng.randint(0, 99)}:{rng.randint(0, 99)}" for _ in range(2_000)]
    s = pd.Series(values, dtype="str")
    python = s.str.extract(parse._ISO)[[0, 1, 2]].apply(pd.to_numeric, errors="coerce")
    python.columns = ["year", "month", "day"]
    got = parse._ymd(s)
    assert python.notna().all(axis=1).sum() > 1000
    pd.testing.assert_frame_equal(got, python)
