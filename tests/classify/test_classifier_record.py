"""Issue 15: the model that predicted a board's categories is recorded with the clean table
(its kind, file name, versions, content hash, classes and confusion matrix: in the cleaning
log, in the table's attrs and so in its Parquet file), and reports take the uncertainty of
predicted categories from that model, not from the built-in keyword model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis.analysis.classified import category_counts
from petition_analysis.classify import read_labelled, train
from petition_analysis.classify.model import ModelFileError, default_model, load_model, model_record, recorded_model
from petition_analysis.publish import reports
from petition_analysis.publish.reports import sections
from petition_analysis.synth.board import BOARD_MAPPING_YAML, make_board
from petition_analysis.synth.write import write_parquet


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Two years of a board cleaned with a model trained on labelled messages, written as the
    CLI writes it (Parquet), and the model file."""
    d = tmp_path_factory.mktemp("rec")
    lab = make_board(600, seed=41, with_category=True, planted=())
    lab.raw[["一级分类", "留言主题", "留言详情"]].to_csv(d / "lab.csv", index=False)
    model = train(read_labelled(d / "lab.csv"), folds=3)
    path = model.save(d / "board-model.json.gz")
    parts = [make_board(400, seed=42, year=2019, planted=()), make_board(400, seed=43, year=2020)]
    raw = pd.concat([b.raw.assign(留言编号=b.raw["留言编号"].str.replace("LY", f"L{i}")) for i, b in enumerate(parts)],
                    ignore_index=True)
    res = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k", classifier=path)
    out = write_parquet(res.data, d / "clean.parquet")
    return model, res, out


def test_the_clean_table_records_the_model_that_predicted(setup):
    model, res, out = setup
    rec = res.log.to_dict()["classifier"]
    assert rec["kind"] == "tfidf-linear" and rec["source"] == "board-model.json.gz"  # the file's name, no folder
    assert rec["sha256"] == model.sha256 and rec["classes"] == model.classes
    assert rec["metrics"]["confusion"] == model.metrics["confusion"] and rec["package_version"] == pa.__version__
    assert not ({"features", "weights", "idf", "trained_on"} & set(rec))  # no model body, no text
    back = pd.read_parquet(out)  # as a report reads a clean table
    assert json.loads(back.attrs["classifier"]) == rec
    m = recorded_model(back)
    assert m.kind == "tfidf-linear" and m.sha256 == model.sha256
    np.testing.assert_array_equal(m.precision_matrix()[1], model.precision_matrix()[1])


def test_the_default_model_is_recorded_too_and_a_register_has_no_record(setup):
    b = make_board(120, seed=44, planted=())
    res = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k")
    rec = json.loads(res.data.attrs["classifier"])
    assert rec["kind"] == "keywords" and rec["source"] == "built-in" and rec["sha256"] == default_model().sha256
    given = pa.clean(make_board(60, seed=45, planted=(), with_category=True).raw, BOARD_MAPPING_YAML, pseudonym_key="k")
    assert "classifier" not in given.data.attrs and "classifier" not in given.log.to_dict()
    assert recorded_model(given.data) is default_model()


def test_counts_and_reports_use_the_recorded_model(setup):
    model, res, out = setup
    back = pd.read_parquet(out)
    got = category_counts(back)
    assert got.attrs["model_kind"] == "tfidf-linear" and got.attrs["model_accuracy"] == model.metrics["accuracy"]
    pd.testing.assert_frame_equal(got, category_counts(back, model=model))
    assert not category_counts(back, model="default").equals(got)  # the keyword model would be wider
    # a report on the clean Parquet: its registry's category tests carry the trained model's errors
    ctx = reports.prepare("quarterly", data=str(out), year=2020, quarter=2, lang="en")
    reg = sections.registry(ctx)
    cats = reg.figures.index[reg.figures["family"] == "categories"]
    assert len(cats) and reg.figures.loc[cats, "flags"].str.contains("predicted_categories").all()
    stripped = back.copy()
    stripped.attrs.pop("classifier")  # as a table cleaned before the record was kept
    old = write_parquet(stripped, out.with_name("unrecorded.parquet"))
    default = sections.registry(reports.prepare("quarterly", data=str(old), year=2020, quarter=2, lang="en")).figures
    assert not np.allclose(reg.figures.loc[cats, "ci_high_95"].astype(float), default.loc[cats, "ci_high_95"].astype(float))
    # the report's figures are those of the recorded model
    from petition_analysis.analysis.registry import build_registry

    reattached = stripped.copy()
    reattached.attrs["classifier"] = model_record(model)
    want = build_registry(reattached, kind="quarterly", year=2020, quarter=2, extraction_date=ctx.extraction_date,
                          emerging=True, min_emerging=max(5, ctx.suppression_k)).figures
    pd.testing.assert_frame_equal(reg.figures.loc[cats], want.loc[cats])
    from petition_analysis.analysis.hotspots import share_change_scan

    scan = share_change_scan(back, [2020])
    pd.testing.assert_frame_equal(scan, share_change_scan(reattached, [2020]))
    assert not np.allclose(scan["p_value"].astype(float), share_change_scan(stripped, [2020])["p_value"].astype(float))
    # the board section states the recorded model's accuracy
    assert reg.board.categories.attrs["model_kind"] == "tfidf-linear"
    from petition_analysis.publish.reports import hot_issues_section as board

    assert f"{model.metrics['accuracy']:.0%}" in board.classification_note(ctx)


def test_a_damaged_record_fails_with_one_paragraph():
    df = pd.DataFrame({"category": ["transport"]})
    df.attrs["classifier"] = "{not json"
    with pytest.raises(ModelFileError, match="damaged"):
        recorded_model(df)
    rec = json.loads(model_record())
    rec["classes"] = ["no_such_code"]
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(rec)


def test_the_record_keeps_the_threshold_actually_used(tmp_path):
    # Review of issue 15 #6: a caller's threshold= is the one recorded (log, attrs, Parquet
    # metadata, a dataset's _classifier.json), not the model's default
    from petition_analysis.classify import classify
    from petition_analysis.classify.model import DEFAULT_THRESHOLD
    from petition_analysis.ingest.dataset import read_dataset, write_dataset

    b = make_board(120, seed=46, planted=())
    res = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k", classifier_threshold=0.55)
    assert res.log.to_dict()["classifier"]["threshold"] == 0.55
    assert json.loads(res.data.attrs["classifier"])["threshold"] == 0.55
    assert json.loads(res.data.attrs["classifier"])["sha256"] == default_model().sha256  # still the model's hash
    back = pd.read_parquet(write_parquet(res.data, tmp_path / "t.parquet"))
    assert json.loads(back.attrs["classifier"])["threshold"] == 0.55
    ds = write_dataset(res.data, tmp_path / "ds")
    assert json.loads(json.loads((ds / "_classifier.json").read_text(encoding="utf-8")))["threshold"] == 0.55
    assert recorded_model(read_dataset(ds)).threshold == 0.55
    # classify: the override, and without one the model's own
    again = classify(res.data, threshold=0.7, overwrite=True)
    assert json.loads(again.attrs["classifier"])["threshold"] == 0.7
    assert json.loads(classify(res.data, overwrite=True).attrs["classifier"])["threshold"] == DEFAULT_THRESHOLD
    plain = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k")
    assert json.loads(plain.data.attrs["classifier"])["threshold"] == DEFAULT_THRESHOLD
