"""Review of issue 15 #7: the quality appendix never prints the text "None": a field the
cleaning record lacks prints a dash, and a reason or field recorded without a name is
printed as a dash too (it raised a TypeError, or read "…: None")."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.publish.reports import sections
from petition_analysis.publish.reports.params import ReportContext


def _ctx(quality: dict, lang: str, public: bool = False) -> ReportContext:
    return ReportContext(kind="annual", data=pd.DataFrame(), data_path="", data_sha256="", lang=lang,
                         public=public, year=2019, quality=quality)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("public", [False, True])
def test_missing_quality_fields_print_a_dash_not_none(lang, public):
    q = {"rows_clean": 1200, "rows_rejected": None, "rejected_by_reason": {None: 2, "no date": None, "bad date": 3},
         "unmapped_labels": {None: 1, "channel": 4}}  # no rows_read at all
    t = sections.quality(_ctx(q, lang, public))
    cells = t.astype("str").to_numpy().ravel().tolist()
    assert not any("None" in c or "nan" in c for c in cells), cells
    v = t.set_index("").iloc[:, 0]
    assert v["rows read" if lang == "en" else "读取行数"] == "—"
    assert v["rejected rows" if lang == "en" else "剔除行数"] == "—"
    assert v["clean rows" if lang == "en" else "有效行数"] == "1,200"
    if not public:
        if lang == "en":
            assert v["rejected: —"] == "2" and v["rejected: no date"] == "—" and v["rejected: bad date"] == "3"
            assert v["rows with an unmapped label: —"] == "1" and v["rows with an unmapped label: channel"] == "4"
    else:
        assert len(t) == 3  # totals only
