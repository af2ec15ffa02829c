"""The messy-export generator: realistic raw registers and an honest expected outcome."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from petition_analysis import schema, synth, taxonomy
from petition_analysis.ingest.privacy import mask_text
from petition_analysis.ingest.reasons import REJECT_REASONS
from petition_analysis.synth import messy
from petition_analysis.synth.messy import (
    BOARD_COLUMNS,
    RAW_COLUMNS,
    id_checksum_ok,
    make_message_board,
    make_messy_export,
    write_raw_samples,
)


@pytest.fixture(scope="module")
def clean_2019() -> pd.DataFrame:
    return synth.generate(2019, 2019).data


@pytest.fixture(scope="module")
def rows(clean_2019) -> pd.DataFrame:
    return messy.sample_rows(clean_2019, 1500, seed=5)


@pytest.fixture(scope="module")
def mx(rows):
    return make_messy_export(rows, seed=5, invalid_share=0.05, duplicate_share=0.02)


def test_deterministic_for_a_seed(rows, mx):
    again = make_messy_export(rows, seed=5, invalid_share=0.05, duplicate_share=0.02)
    pd.testing.assert_frame_equal(mx.raw, again.raw)
    pd.testing.assert_frame_equal(mx.expected_clean, again.expected_clean)
    other = make_messy_export(rows, seed=6, invalid_share=0.05, duplicate_share=0.02)
    assert not mx.raw.equals(other.raw)


def test_raw_has_register_headers_and_is_text(mx):
    assert tuple(mx.raw.columns) == RAW_COLUMNS
    assert all(isinstance(v, str) for v in mx.raw.to_numpy().ravel())


def test_every_raw_row_is_kept_or_rejected_for_a_known_reason(rows, mx):
    reasons = mx.reasons.dropna()
    assert set(reasons) <= set(REJECT_REASONS)
    # every planted defect kind shows up in a sample of this size
    assert {"missing_date", "invalid_date", "date_out_of_range", "invalid_persons", "invalid_channel",
            "invalid_level", "missing_region", "duplicate", "duplicate_case_id", "blank_row"} <= set(reasons)
    assert len(mx.raw) == len(mx.expected_clean) + len(reasons)
    # kept rows are the clean rows they came from, in file order
    kept_ids = mx.raw.loc[mx.reasons.isna(), "编号"].tolist()
    assert kept_ids == mx.expected_clean["case_id"].tolist()
    assert set(kept_ids) <= set(rows["case_id"])


def test_expected_clean_equals_source_rows_except_pseudonyms(rows, mx):
    exp = mx.expected_clean
    schema.validate(exp)
    src = rows.set_index("case_id").loc[exp["case_id"]].reset_index()
    cols = [c for c in schema.column_names() if c != "petitioner_id"]
    for c in cols:
        a, b = exp[c], src[c]
        if isinstance(a.dtype, pd.CategoricalDtype):
            a, b = a.astype("str"), b.astype("str")
        assert a.equals(b) or a.fillna("∅").astype(str).equals(b.fillna("∅").astype(str)), c
    # the pseudonyms are new, but group rows exactly like the original ones
    pairs = pd.DataFrame({"old": src["petitioner_id"], "new": exp["petitioner_id"]}).dropna()
    assert (pairs.groupby("old")["new"].nunique() == 1).all()
    assert (pairs.groupby("new")["old"].nunique() == 1).all()
    assert exp["petitioner_id"].isna().equals(src["petitioner_id"].isna())
    assert not exp["petitioner_id"].dropna().isin(src["petitioner_id"].dropna()).any()


def test_dates_come_in_mixed_forms_with_full_width_digits(mx):
    d = mx.raw.loc[mx.reasons.isna(), "登记日期"]
    assert d.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()
    assert d.str.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}").any()
    assert d.str.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日").any()
    assert d.str.contains(r"\d:\d\d").any()
    serial = d[d.str.fullmatch(r"\d{5}")]
    assert len(serial) > 0
    # a serial number is days since 1899-12-30 and matches the clean date
    exp = mx.expected_clean.set_index("case_id")["received_date"]
    ids = mx.raw.loc[serial.index, "编号"]
    back = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.astype(int).to_numpy(), unit="D")
    assert (back == exp.loc[ids].to_numpy()).all()
    assert d.str.contains("[０-９]").any()


def test_identities_are_consistent_fake_and_mostly_with_id(rows, mx):
    kept = mx.raw[mx.reasons.isna()]
    src = rows.set_index("case_id").loc[kept["编号"]]
    by_petitioner = pd.DataFrame({
        "pid": src["petitioner_id"].to_numpy(), "name": kept["信访人"].to_numpy(),
        "id": kept["身份证号"].to_numpy(), "phone": kept["联系电话"].str.replace(r"[\s-]", "", regex=True).to_numpy(),
    }).dropna(subset=["pid"])
    assert (by_petitioner.groupby("pid")[["name", "id", "phone"]].nunique() == 1).all().all()
    per = by_petitioner.drop_duplicates("pid")
    share_with_id = (per["id"] != "").mean()
    assert 0.75 < share_with_id < 0.95
    assert (per["phone"].str.fullmatch(r"1[3-9]\d{9}")).all()
    ids = pd.Series(mx.pii["id_numbers"])
    assert ids.str.fullmatch(r"99\d{15}[\dX]").all()
    assert all(id_checksum_ok(i) for i in ids)
    # anonymous items have no person data at all
    anon = kept[src["petitioner_id"].isna().to_numpy()]
    assert (anon[["信访人", "身份证号", "联系电话", "住址"]] == "").all().all()


def test_free_text_carries_planted_pii_that_masks_back(mx):
    kept = mx.reasons.isna()
    text = mx.raw.loc[kept, "诉求"]
    names = mx.raw.loc[kept, "信访人"]
    masked = mask_text(pd.Series(text.to_numpy(), dtype="str"), names=pd.Series(names.to_numpy(), dtype="str"))
    assert masked.tolist() == mx.expected_clean["summary"].tolist()
    planted = "|".join(mx.pii["phones"][:50] + mx.pii["id_numbers"][:50])
    assert text.str.contains(planted).any()
    assert text.str.contains("@example.com").any() or not mx.expected_clean["summary"].str.contains("[邮箱]", regex=False).any()
    assert not text.str.contains(r"\[(?:姓名|电话|证件号|邮箱)\]").any()


def test_category_labels_include_synonyms_and_old_labels_after_2018(rows, mx):
    kept = mx.reasons.isna()
    labels = mx.raw.loc[kept, "问题分类"]
    exp = mx.expected_clean["category"].astype(str)
    codes = taxonomy.lookup_series(pd.Series(labels.to_numpy(), dtype="str"))
    assert codes.notna().all()
    in_use = taxonomy.codes_in_use_series(codes, mx.expected_clean["received_date"].dt.year)
    assert in_use.tolist() == exp.tolist()
    old = labels.isin(["国土资源", "国土资源类", "国土", "土地", "卫生计生", "教育文体", "民政", "环境保护", "商贸旅游"])
    assert old.sum() > 10  # old labels on 2019 rows, which clean to the code in use
    assert (labels != pd.Series(taxonomy.labels("zh")).reindex(exp).to_numpy()).any()  # not just zh labels


def test_zh_synonyms_for_channel_level_status_and_flags(mx):
    raw = mx.raw[mx.reasons.isna()]
    assert raw["信访形式"].nunique() > 4
    assert raw["到达层级"].nunique() > 4
    assert {"初", "重"} <= set(raw["初重件"])
    assert {"是", "否"} <= set(raw["领导接访"])
    assert raw["办理状态"].isin(["已办结", "办结", "已受理", "办理中", "受理", "已登记", "待受理", "登记", "不予受理", "不受理"]).all()


def test_duplicates_are_exact_copies_after_their_original(mx):
    dup = mx.reasons == "duplicate"
    first = ~mx.raw.duplicated(keep="first")
    assert (mx.raw.duplicated(keep="first") == (dup | (mx.reasons == "blank_row") & ~first)).all()
    reuse = mx.raw[mx.reasons == "duplicate_case_id"]
    earlier = mx.raw[mx.reasons.isna() & mx.raw["编号"].isin(reuse["编号"])]
    assert len(earlier) == len(reuse)
    assert (earlier.index.to_numpy() < reuse.index.to_numpy()).all()


def test_csv_variants_layout_and_encodings(tmp_path, mx):
    utf = mx.write_csv(tmp_path / "a.csv")
    gbk = mx.write_csv(tmp_path / "b.csv", encoding="gbk")
    assert (tmp_path / "a.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "b.csv").read_bytes().decode("utf-8")
    for path, enc in ((utf.path, "utf-8-sig"), (gbk.path, "gbk")):
        lines = list(csv.reader(io.StringIO(path.read_bytes().decode(enc), newline="")))
        assert lines[0][0].startswith("XX市信访局信访事项登记台账（2019年）")
        assert tuple(lines[1]) == RAW_COLUMNS
        rej = utf.rejects.set_index("source_row")
        assert lines[rej.index[rej["reason"] == "total_row"][0] - 1][0] == "合计"
        assert lines[rej.index[rej["reason"] == "notes_row"][0] - 1][0].startswith("注：")
        assert len(lines) - 2 == utf.rows_read
        # spreadsheet row numbers point at the right raw rows
        for r in rej[rej["reason"].isin(["duplicate", "invalid_date", "missing_region"])].itertuples():
            assert lines[r.Index - 1][0] == r.case_id
    assert utf.rows_read == len(mx.raw) + 2
    assert len(utf.rejects) + len(utf.kept) == utf.rows_read


def test_xlsx_variant_has_a_sheet_per_quarter_with_title_and_total(tmp_path, mx):
    out = mx.write_xlsx(tmp_path / "q.xlsx")
    wb = CalamineWorkbook.from_path(str(out.path))
    assert wb.sheet_names == ["2019Q1", "2019Q2", "2019Q3", "2019Q4"]
    date_cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        assert rows[0][0].startswith("XX市信访局") and "季度" in rows[0][0]
        assert all(c == "" for c in rows[0][1:])  # merged title: one value
        assert tuple(rows[1]) == RAW_COLUMNS
        sheet_rej = out.rejects[out.rejects["sheet"] == name].set_index("source_row")
        assert rows[sheet_rej.index[sheet_rej["reason"] == "total_row"][0] - 1][0] == "合计"
        kept = out.kept[out.kept["sheet"] == name]
        assert [rows[i - 1][0] for i in kept["source_row"]] == kept["case_id"].tolist()
        date_cells += sum(isinstance(r[1], (dt.date, dt.datetime)) for r in rows[2:])
    assert date_cells > 0
    assert out.rows_read == len(out.rejects) + len(out.kept)
    assert set(out.kept["case_id"]) == set(mx.expected_clean["case_id"])


def test_message_board_labels_map_to_taxonomy(clean_2019):
    online = clean_2019[clean_2019["channel"] == "online"].head(400)
    mb = make_message_board(online, seed=2)
    assert tuple(mb.raw.columns) == BOARD_COLUMNS
    assert mb.raw["一级分类"].isin(["劳动和社会保障", "城乡建设", "教育文体", "卫生计生", "交通运输", "商贸旅游", "环境保护"]).sum() > 100
    codes = taxonomy.lookup_series(pd.Series(mb.raw["一级分类"].to_numpy(), dtype="str"))
    assert codes.notna().all()
    schema.validate(mb.expected_clean)
    assert len(mb.expected_clean) == len(mb.raw) and mb.reasons.isna().all()
    assert mb.raw["留言详情"].str.contains("|".join(mb.pii["phones"][:100])).any()


def test_write_raw_samples_small_deterministic(tmp_path, clean_2019):
    a = write_raw_samples(clean_2019, tmp_path / "a")
    b = write_raw_samples(clean_2019, tmp_path / "b")
    for kind in ("utf8", "gbk", "board", "utf8_rejects", "gbk_rejects", "xlsx_rejects", "board_mapping"):
        assert a[kind].read_bytes() == b[kind].read_bytes(), kind
    assert a["xlsx"].exists() and a["xlsx"].stat().st_size > 0
    for kind in ("utf8", "gbk", "xlsx"):
        rej = pd.read_csv(a[f"{kind}_rejects"])
        assert list(rej.columns) == ["sheet", "source_row", "reason", "case_id"]
        assert rej["reason"].isin(list(REJECT_REASONS)).all()
    n = len(a["utf8"].read_text(encoding="utf-8-sig").splitlines())
    assert 250 < n < 400
    assert len(a["board_mapping"].read_text(encoding="utf-8").splitlines()) <= 3


def test_expected_rejects_are_written_formula_safe(tmp_path):
    from petition_analysis.synth.messy import ExpectedOutcome

    rejects = pd.DataFrame({"sheet": [None], "source_row": [3], "reason": ["invalid_channel"], "case_id": ["=1+1"]})
    out = ExpectedOutcome(None, "csv", "utf-8", 1, rejects, rejects.iloc[:0]).write_rejects(tmp_path / "r.csv")
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM, as the bundled files are
    assert pd.read_csv(out)["case_id"].tolist() == ["'=1+1"]
