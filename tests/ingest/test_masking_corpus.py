"""The masking corpus (``privacy_corpus.py``): at least 150 written forms of personal data,
each with its category. Masking alone must hide at least 98 % of them; a full cleaning run
with the forms planted in kept and rejected rows must let none reach the rejects (preview,
message, case id), the cleaning log, logging output, the dataset's files or a report's
quality appendix."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from petition_analysis import clean
from petition_analysis.ingest.privacy import mask_text

_spec = importlib.util.spec_from_file_location("privacy_corpus", Path(__file__).with_name("privacy_corpus.py"))
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("privacy_corpus", corpus)
_spec.loader.exec_module(corpus)
FORMS = corpus.FORMS

HEADER = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类", "信访人", "联系电话", "诉求"]


def masked_share(outputs: list[str]) -> tuple[float, dict[str, float], list]:
    leaked = [(f, o) for f, o in zip(FORMS, outputs) if corpus.leaks(f, o)]
    by_cat = {c: 1 - sum(f.category == c for f, _ in leaked) / sum(f.category == c for f in FORMS)
              for c in corpus.CATEGORIES}
    return 1 - len(leaked) / len(FORMS), by_cat, leaked


def test_the_corpus_has_150_forms_in_every_category():
    counts = Counter(f.category for f in FORMS)
    assert len(FORMS) >= 150
    assert set(counts) == set(corpus.CATEGORIES) and min(counts.values()) >= 20
    assert len({(f.text, f.own_name) for f in FORMS}) == len(FORMS)  # every form is written differently


def test_mask_text_hides_at_least_98_percent_of_the_forms():
    out = mask_text(pd.Series([f.text for f in FORMS]), names=pd.Series([f.own_name for f in FORMS], dtype="str"))
    share, by_cat, leaked = masked_share(out.tolist())
    print(f"\nmasked {share:.1%} of {len(FORMS)} forms; by category: "
          + ", ".join(f"{c} {v:.0%}" for c, v in by_cat.items()))
    assert share >= 0.98, [(f.form, o) for f, o in leaked]


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory) -> Path:
    """A raw register: each form in the free text of one kept row and of one rejected row
    (an impossible date), in the region of a few rows, and in case numbers."""
    rows = [HEADER]
    for i, f in enumerate(FORMS):
        name = f.own_name or "周某某"
        rows.append([f"A{i:04d}", "2019-03-05", "来访", "1", "到县", "甲区", "城乡建设", name, "", f.text])
        rows.append([f"R{i:04d}", "2019年13月1日", "来访", "1", "到县", "甲区", "城乡建设", name, "", f.text])
    # Personal data typed into the region: grouped as 其他区域, never shown.
    for i, f in enumerate(FORMS[::6]):
        rows.append([f"G{i:04d}", "2019-03-06", "来信", "1", "到县", f.text[13:-9], "城乡建设", "", "", "反映问题"])
    rows.append(["G9999", "2019-03-06", "来信", "1", "到县", "XX市甲区人民路500号王磊明家", "城乡建设", "", "", "反映问题"])
    # …and into a label that is rejected (invalid channel), and into case numbers.
    rows.append(["C0001", "2019-03-07", "13912345678", "1", "到县", "甲区", "城乡建设", "", "", "反映问题"])
    rows.append(["13912345678", "2019-03-07", "来访", "1", "到县", "甲区", "城乡建设", "", "", "反映问题"])
    rows.append(["110105194912310021", "2019-03-08", "来访", "1", "到县", "甲区", "城乡建设", "", "", "反映问题"])
    rows.append(["110105194912310021", "2019-03-09", "来访", "1", "到县", "甲区", "城乡建设", "", "", "反映问题"])
    path = tmp_path_factory.mktemp("corpus") / "register.csv"
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def cleaned(raw_file):
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        res = clean(raw_file, pseudonym_key="k", today="2024-01-01", progress=False)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return res, "\n".join(records)


def _no_form_in(text: str) -> list[str]:
    """The forms readable in any one field of ``text`` (fields are cut at separators that
    no written form uses, so that digits of neighbouring fields are not read as one number)."""
    pieces = [p for p in re.split(r'[\n|,"=\[\]{}]', text) if p.strip()]
    return sorted({f"{f.category}: {f.form}" for p in pieces for f in FORMS if corpus.leaks(f, p)})


def test_clean_table_masks_at_least_98_percent(cleaned):
    res, _ = cleaned
    data = res.data.set_index("case_id")
    out = [data.loc[f"A{i:04d}", "summary"] for i in range(len(FORMS))]
    share, by_cat, leaked = masked_share(out)
    print(f"\nclean table: masked {share:.1%} of {len(FORMS)} forms; " + ", ".join(f"{c} {v:.0%}" for c, v in by_cat.items()))
    assert share >= 0.98, [(f.form, o) for f, o in leaked]
    assert res.log.rows_read == len(res.data) + len(res.rejects)


def test_no_form_reaches_the_rejects(cleaned):
    res, _ = cleaned
    rej = res.rejects
    assert (rej["source_row"].isin(range(1, 10**6))).all()
    for col in ("preview", "message", "case_id"):
        text = "\n".join(rej[col].astype("str"))
        assert not _no_form_in(text), col
    assert not rej["message"].str.contains("2019年13月1日|13912345678|王磊明", regex=True).any()
    assert rej["message"].str.contains(r"\(field: received_date\)", regex=True).any()


def test_no_form_reaches_the_log_or_logging(cleaned):
    res, logged = cleaned
    text = json.dumps(res.log.to_dict(), ensure_ascii=False) + "\n" + res.log.summary() + "\n" + logged
    assert not _no_form_in(text)
    assert "王磊明" not in text and "人民路500" not in text
    assert res.log.grouped_labels["region"]["grouped_as_other"] >= len(FORMS[::6]) + 1
    assert res.log.unmapped_labels["channel"] == {"labels": 1, "rows": 1}  # counts only, never the label


def test_regions_and_case_ids_hold_no_personal_data(cleaned):
    res, _ = cleaned
    regions = set(res.data["region"].astype("str"))
    assert regions <= {"甲区", "其他区域"}
    ids = res.data["case_id"]
    assert not ids.str.contains(r"\d{11}", regex=True).any()
    assert ids.str.fullmatch(r"M[a-z2-7]{16}").sum() == 2  # the phone and the (first) ID number
    assert (res.rejects["reason"] == "duplicate_case_id").sum() == 1


def test_no_form_reaches_the_dataset_or_a_report(raw_file, tmp_path):
    from petition_analysis.ingest.dataset import clean_to_dataset
    from petition_analysis.publish.reports.params import _quality_from

    out = tmp_path / "ds"
    clean_to_dataset(raw_file, out, pseudonym_key="k", today="2024-01-01", progress=False)
    rejects = pd.read_parquet(out / "_rejects.parquet")
    text = (out / "_log.json").read_text(encoding="utf-8") + "\n" + rejects.to_csv()
    assert not _no_form_in(text)
    data = pd.concat([pd.read_parquet(p) for p in out.glob("year=*/*.parquet")])
    assert set(data["region"].astype("str")) <= {"甲区", "其他区域"}
    assert not _no_form_in("\n".join(data["case_id"].astype("str")))
    res = clean(raw_file, pseudonym_key="k", today="2024-01-01", progress=False)
    assert not _no_form_in(json.dumps(_quality_from(res), ensure_ascii=False))
