"""Clean board files put together keep the record of the model that predicted their
categories (attrs["classifier"]): pandas drops attrs that differ between the joined frames,
and the counts' intervals would then fall back to the keyword model's errors unnoticed."""

from __future__ import annotations

import dataclasses
import json

import pytest

import petition_analysis as pa
from petition_analysis.classify.model import default_model, recorded_model
from petition_analysis.errors import StructuralError
from petition_analysis.ingest.sources import load_sources
from petition_analysis.synth.board import BOARD_MAPPING_YAML, make_board
from petition_analysis.synth.write import write_parquet


def _clean(year, seed, with_category=False, **kw):
    raw = make_board(150, seed=seed, year=year, planted=(), with_category=with_category).raw
    raw = raw.assign(留言编号=raw["留言编号"].str.replace("LY", f"L{year}"))  # case numbers unique across files
    return pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k", **kw).data


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    """Clean boards of 2019 and 2020 (written as the CLI writes them): each predicted by the
    built-in model at its own threshold, 2020 also at 0.6 and by another model, 2020 with
    its categories all given (no record), and 2020 predicted with its record lost."""
    d = tmp_path_factory.mktemp("boards")
    other = dataclasses.replace(default_model(), metrics={"assumed_accuracy": 0.9}, source="other.json")
    frames = {"a2019": _clean(2019, 1), "b2020": _clean(2020, 2), "b2020_t06": _clean(2020, 2, classifier_threshold=0.6),
              "b2020_other": _clean(2020, 2, classifier=other), "b2020_given": _clean(2020, 3, with_category=True)}
    lost = frames["b2020"].copy()
    lost.attrs = {}  # as a table cleaned before the record was kept
    frames["b2020_lost"] = lost
    paths = {name: write_parquet(df, d / f"{name}.parquet") for name, df in frames.items()}
    return paths, frames, other


def _record(df):
    return json.loads(df.attrs["classifier"])


def test_the_same_record_is_kept(boards):
    paths, frames, _ = boards
    src = load_sources([paths["a2019"], paths["b2020"]])
    assert _record(src.data) == _record(frames["a2019"]) == _record(frames["b2020"])
    assert recorded_model(src.data).sha256 == default_model().sha256


def test_the_same_model_at_two_thresholds_keeps_the_model_and_both_thresholds(boards):
    paths, frames, _ = boards
    assert _record(frames["b2020_t06"])["threshold"] == 0.6  # the input really differs
    src = load_sources([paths["a2019"], paths["b2020_t06"]])
    rec = _record(src.data)
    assert rec["thresholds"] == [default_model().threshold, 0.6]
    assert {k: v for k, v in rec.items() if k != "thresholds"} == _record(frames["a2019"])
    m = recorded_model(src.data)  # the report reads it as before
    assert m.sha256 == default_model().sha256 and m.metrics == default_model().metrics


def test_different_models_are_refused_in_one_paragraph(boards):
    paths, frames, other = boards
    assert _record(frames["b2020_other"])["sha256"] == other.sha256 != default_model().sha256
    with pytest.raises(StructuralError) as err:
        load_sources([paths["a2019"], paths["b2020_other"]])
    text = str(err.value)
    assert "a2019.parquet" in text and "b2020_other.parquet" in text and "different models" in text
    assert "petition-analysis clean --classifier MODEL" in text and "\n" not in text
    assert "Traceback" not in text and str(paths["a2019"].parent) not in text  # file names, no folders


def test_a_file_without_predictions_keeps_the_other_files_record(boards):
    paths, frames, _ = boards
    assert "classifier" not in frames["b2020_given"].attrs
    given = frames["b2020_given"]
    assert "category_source" not in given or not (given["category_source"] == "predicted").any()
    src = load_sources([paths["a2019"], paths["b2020_given"]])
    assert _record(src.data) == _record(frames["a2019"])


def test_predictions_without_a_record_beside_a_record_are_refused(boards):
    paths, frames, _ = boards
    assert (frames["b2020_lost"]["category_source"] == "predicted").any()
    with pytest.raises(StructuralError, match=r"b2020_lost\.parquet has predicted categories but no record"):
        load_sources([paths["a2019"], paths["b2020_lost"]])
