"""validate() accepts canonical data and rejects each kind of violation with a message
that names the column and the rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from petition_analysis import schema
from petition_analysis.schema import SchemaError, validate


@pytest.fixture(scope="module")
def small(reference_df) -> pd.DataFrame:
    return reference_df.iloc[:500].copy()


def test_reference_data_is_valid(reference_df):
    assert validate(reference_df) is reference_df


def test_empty_frame_is_valid_and_has_canonical_dtypes():
    df = schema.empty_frame()
    validate(df)
    assert list(df.columns) == schema.column_names()
    assert pd.api.types.is_datetime64_dtype(df["received_date"])
    assert list(df["channel"].cat.categories) == list(schema.CHANNELS)


def _violations(df, **kw) -> list[schema.Violation]:
    with pytest.raises(SchemaError) as info:
        validate(df, **kw)
    return info.value.violations


def _edit(df, column, values, rows=slice(0, 3)):
    out = df.copy()
    out.loc[out.index[rows], column] = values
    return out


CASES = {
    "missing column": (lambda d: d.drop(columns="level"), "level", "column is missing"),
    "extra column": (lambda d: d.assign(姓名="张三"), "姓名", "not in the canonical schema"),
    "null received_date": (lambda d: _edit(d, "received_date", pd.NaT), "received_date", "must not be null"),
    "null region": (lambda d: _edit(d, "region", np.nan), "region", "must not be null"),
    "bad channel value": (lambda d: d.assign(channel=d["channel"].astype("str").where(d.index > d.index[0], "fax")),
                          "channel", "value not allowed"),
    "persons zero": (lambda d: _edit(d, "persons", 0), "persons", "must be >= 1"),
    "persons not integer": (lambda d: d.assign(persons=d["persons"].astype(float)), "persons", "integer dtype"),
    "case_id duplicated": (lambda d: _edit(d, "case_id", "XF-DUP"), "case_id", "must be unique"),
    "date with time": (lambda d: _edit(d, "received_date", pd.Timestamp("2014-01-01 10:30")), "received_date", "day precision"),
    "string date": (lambda d: d.assign(received_date=d["received_date"].dt.strftime("%Y-%m-%d")), "received_date", "datetime64"),
    "bool as string": (lambda d: d.assign(is_repeat=d["is_repeat"].astype("str")), "is_repeat", "must be bool"),
    "accepted before received": (lambda d: d.assign(accepted_date=d["received_date"] - pd.Timedelta(days=3)),
                                 "accepted_date", "before received_date"),
    "concluded without date": (lambda d: d.assign(concluded_date=pd.Series(pd.NaT, index=d.index, dtype="datetime64[s]")), "concluded_date", "must be set"),
    "collective letter": (lambda d: d.assign(is_collective=True), "is_collective", "only a visit"),
    "leapfrog at county": (lambda d: d.assign(is_leapfrog=True), "is_leapfrog", "county level"),
    "evaluated but not concluded": (lambda d: d.assign(status=pd.Categorical(["registered"] * len(d), categories=schema.STATUSES),
                                                      accepted_date=pd.NaT, concluded_date=pd.NaT),
                                    "satisfaction", "only when status is concluded"),
    "petitioner id is an ID number": (lambda d: _edit(d, "petitioner_id", "11010519491231002X"), "petitioner_id", "keyed pseudonym"),
    "summary leaks a phone number": (lambda d: _edit(d, "summary", "电话13800138000"), "summary", "unmasked"),
    "case id is a phone number": (lambda d: _edit(d, "case_id", "13800138000"), "case_id", "ID or phone number"),
    "case id holds an ID number": (lambda d: _edit(d, "case_id", "XF-11010519491231002X"), "case_id", "ID or phone number"),
    "bad category code": (lambda d: d.assign(category=d["category"].astype("str").where(d.index > d.index[0], "国土资源")),
                          "category", "value not allowed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_violation_is_named(small, case):
    make, column, words = CASES[case]
    violations = _violations(make(small))
    hits = [v for v in violations if column in v.column and words in v.rule]
    assert hits, f"{case}: expected a violation of {column!r} containing {words!r}, got {[str(v) for v in violations]}"
    assert hits[0].count >= 1 or words == "column is missing"


def test_one_error_lists_every_violation(small):
    bad = small.drop(columns="level").assign(persons=0)
    bad.loc[bad.index[0], "case_id"] = bad["case_id"].iloc[1]
    with pytest.raises(SchemaError) as info:
        validate(bad)
    text = str(info.value)
    assert "level: column is missing" in text
    assert "persons: must be >= 1 (500 rows" in text
    assert "case_id: must be unique (2 rows" in text
    assert text.startswith("3 schema rule(s) violated")


def test_examples_show_first_offending_values(small):
    bad = small.assign(channel=small["channel"].astype("str"))
    bad.loc[bad.index[:2], "channel"] = ["fax", "telegram"]
    [v] = [v for v in _violations(bad) if v.column == "channel" and "allowed" in v.rule]
    assert v.count == 2 and v.examples == ["fax", "telegram"]


def test_privacy_violations_do_not_echo_the_personal_data(small):
    bad = _edit(small, "petitioner_id", "11010519491231002X")
    msg = str(_violations(bad)[0])
    assert "11010519491231002X" not in msg


def test_case_id_holding_a_phone_or_id_number_is_never_echoed(small):
    bad = small.copy()
    bad["case_id"] = bad["case_id"].astype("str")
    bad.loc[bad.index[:2], "case_id"] = "13800138000"  # also a duplicate: its example is withheld too
    with pytest.raises(SchemaError) as info:
        validate(bad)
    text = str(info.value)
    assert "case_id: holds an ID or phone number" in text and "case_id: must be unique" in text
    assert "13800138000" not in text
    validate(small.assign(case_id=small["case_id"].astype("str").radd("XF2019-")))  # ordinary numbers pass


def test_provenance_columns_are_allowed(small):
    validate(small.assign(source_file=pd.Categorical(["a.csv"] * len(small)), source_row=np.arange(len(small), dtype="int64") + 3))


def test_coerce_gives_canonical_dtypes(small):
    loose = small.astype({"channel": "str", "persons": "int64"})
    loose["received_date"] = loose["received_date"].astype("datetime64[us]") + pd.Timedelta(hours=5)
    out = schema.coerce(loose)
    assert out["received_date"].dtype == "datetime64[s]"
    assert (out["received_date"] == out["received_date"].dt.normalize()).all()
    assert isinstance(out["channel"].dtype, pd.CategoricalDtype)
    validate(out)


def test_schema_sits_below_the_cleaning_steps():
    """No import circle headers → schema → privacy → io → headers: the schema imports only
    modules that import nothing from the cleaning steps."""
    import ast
    from pathlib import Path

    import petition_analysis

    root = Path(petition_analysis.__file__).parent

    def imports(name):
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        return {n.module.lstrip(".").split(".")[0] for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module}

    assert imports("schema") <= {"taxonomy", "patterns"}
    assert imports("periods") == set()
    assert imports("patterns") == set()
