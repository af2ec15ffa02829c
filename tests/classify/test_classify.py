"""Issue 15: message boards without categories. Categories predicted from text (the default
keyword model and a model trained on labelled data), category_source and confidence,
model files, and the message-board fields. All data is synthetic (synth.board)."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

import petition_analysis as pa
from petition_analysis import schema, taxonomy
from petition_analysis.classify import (CATEGORY_SOURCES, ModelFileError, default_model, evaluate, load_model,
                                        read_labelled, train)
from petition_analysis.synth.board import BOARD_MAPPING_YAML, make_board


@pytest.fixture(scope="module")
def board():
    return make_board(600, seed=11)


@pytest.fixture(scope="module")
def cleaned(board):
    return pa.clean(board.raw, BOARD_MAPPING_YAML, pseudonym_key="k")


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    b = make_board(700, seed=12, with_category=True)
    path = tmp_path_factory.mktemp("lab") / "labelled.csv"
    b.raw[["一级分类", "留言主题", "留言详情"]].to_csv(path, index=False)
    return path, b


@pytest.fixture(scope="module")
def trained(labelled_csv):
    return train(read_labelled(labelled_csv[0]), folds=3)


def _agree(truth: pd.Series, got: pd.Series) -> float:
    return float((taxonomy.crosswalk_series(truth.astype(str)).to_numpy()
                  == taxonomy.crosswalk_series(got.astype(str)).to_numpy()).mean())


# --------------------------------------------------------------------------- clean without categories

def test_board_without_category_cleans_with_a_two_line_mapping(board, cleaned):
    assert len(BOARD_MAPPING_YAML.strip().splitlines()) <= 3
    assert "一级分类" not in board.raw
    res = cleaned
    assert len(res.rejects) == 0 and len(res.data) == len(board.raw)
    schema.validate(res.data.drop(columns=["source_file", "source_row"]))
    assert set(res.data["category_source"].astype(str)) == {"predicted"}
    assert res.data["category_confidence"].between(0, 1).all()
    # the log says how many were predicted
    assert any(f"{len(board.raw)} row(s) had no category" in w for w in res.log.warnings)
    # categories are recovered from the text by the default model
    truth = board.truth.set_index("case_id")["category"]
    got = res.data.set_index("case_id")["category"].reindex(truth.index)
    assert _agree(truth, got) >= 0.9


def test_board_fields_are_kept_and_masked(board, cleaned):
    d = cleaned.data.set_index("case_id")
    raw = board.raw.set_index("留言编号")
    assert (d["likes"] == raw.loc[d.index, "点赞数"]).all() and d["likes"].dtype == "int32"
    assert (d["dislikes"] == raw.loc[d.index, "反对数"]).all()
    replied = pd.to_datetime(raw.loc[d.index, "答复时间"].replace("", None))
    assert ((d["replied_date"] == replied) | (d["replied_date"].isna() & replied.isna())).all()
    assert d["subject"].notna().all() and d["reply"].notna().any()
    # the phone numbers written into some details never reach the clean table
    phones = board.raw["留言详情"].str.extract(r"联系电话(\d{11})")[0].dropna()
    assert len(phones) > 0
    text = " ".join(d["summary"].tolist() + d["subject"].tolist())
    assert not any(p in text for p in phones) and "[电话]" in text
    # no user handle anywhere: petitioners are pseudonyms
    assert not d["petitioner_id"].astype(str).str.startswith("A").all()
    assert not set(board.raw["留言用户"]) & set(d["petitioner_id"].astype(str))


def test_bad_board_values_are_counted_not_fatal():
    raw = make_board(40, seed=3, planted=()).raw
    raw["点赞数"] = raw["点赞数"].astype(str)
    raw.loc[0, "点赞数"] = "很多"
    raw.loc[1, "点赞数"] = "-3"
    raw.loc[2, "答复时间"] = "2018-01-01"  # before the message
    res = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k")
    d = res.data.set_index("case_id")
    assert d.loc[raw.loc[0, "留言编号"], "likes"] == 0 and d.loc[raw.loc[1, "留言编号"], "likes"] == 0
    assert pd.isna(d.loc[raw.loc[2, "留言编号"], "replied_date"])
    text = " ".join(res.log.warnings)
    assert "likes: 2 value(s)" in text and "replied_date before received_date" in text


def test_given_mapped_and_predicted_sources_in_one_export():
    b = make_board(80, seed=4, planted=(), with_category=True)
    raw = b.raw.copy()
    raw.loc[raw.index[:20], "一级分类"] = ""          # predicted
    raw.loc[raw.index[20:30], "一级分类"] = "咱们这类"  # mapped below
    raw.loc[raw.index[30], "一级分类"] = "看不懂"       # unknown label: other, counted, not predicted
    mapping = BOARD_MAPPING_YAML + "values: {category: {咱们这类: transport}}\n"
    res = pa.clean(raw, mapping, pseudonym_key="k")
    src = res.data.set_index("case_id")["category_source"].astype(str)
    ids = raw["留言编号"]
    assert (src[ids[:20]] == "predicted").all()
    assert (src[ids[20:30]] == "mapped").all()
    assert (src[ids[31:]] == "given").all()
    d = res.data.set_index("case_id")
    assert d.loc[ids[30], "category"] == "other" and src[ids[30]] == "given"
    assert (d.loc[ids[20:30], "category"] == "transport").all()
    assert (d.loc[ids[31:], "category_confidence"] == 1.0).all()
    assert res.log.unmapped_labels["category"] == {"labels": 1, "rows": 1}


def test_a_register_with_every_category_gets_no_prediction_columns(cleaned):
    b = make_board(30, seed=5, planted=(), with_category=True)
    res = pa.clean(b.raw, BOARD_MAPPING_YAML, pseudonym_key="k")
    assert "category_source" not in res.data and "category_confidence" not in res.data


def test_threshold_leaves_low_confidence_as_other_and_no_text_is_unclassified():
    b = make_board(60, seed=6, planted=())
    raw = b.raw.copy()
    raw.loc[raw.index[:5], ["留言主题", "留言详情"]] = ""
    res = pa.clean(raw, BOARD_MAPPING_YAML, pseudonym_key="k", classifier_threshold=0.99)
    d = res.data.set_index("case_id")
    none = d.loc[raw["留言编号"][:5]]
    assert (none["category_source"] == "unclassified").all() and (none["category"] == "other").all()
    assert (none["category_confidence"] == 0).all()
    pred = d[d["category_source"] == "predicted"]
    low = pred["category_confidence"] < 0.99
    assert low.any() and (pred.loc[low, "category"] == "other").all()
    assert (pred.loc[~low, "category"] != "other").all()


def test_chunked_clean_equals_whole_clean(tmp_path):
    b = make_board(300, seed=7)
    path = tmp_path / "b.csv"
    b.write_csv(path)
    whole = pa.clean(path, BOARD_MAPPING_YAML, pseudonym_key="k").data
    chunked = pa.clean(path, BOARD_MAPPING_YAML, pseudonym_key="k", chunk_rows=97).data
    pd.testing.assert_frame_equal(whole.drop(columns="is_repeat"), chunked.drop(columns="is_repeat"))


def test_pa_classify_predicts_only_missing_rows(cleaned):
    df = cleaned.data.drop(columns=["category_source", "category_confidence"])
    given = df.copy()
    out = pa.classify(given)
    assert (out["category_source"] == "given").all()
    blank = df.copy()
    blank["category"] = blank["category"].astype(object)
    blank.loc[blank.index[:10], "category"] = None
    out = pa.classify(blank)
    assert (out["category_source"].iloc[:10] == "predicted").all() and (out["category_source"].iloc[10:] == "given").all()
    assert list(out["category_source"].cat.categories) == list(CATEGORY_SOURCES)
    schema.validate(out.drop(columns=["source_file", "source_row"]))


# --------------------------------------------------------------------------- trained models

def test_training_reports_cross_validated_metrics(trained, labelled_csv):
    m = trained.metrics
    n = len(read_labelled(labelled_csv[0]))
    assert m["folds"] == 3 and m["rows"] == n
    conf = np.array(m["confusion"])
    assert conf.shape == (len(trained.classes), len(trained.classes)) and conf.sum() == n
    assert m["accuracy"] == pytest.approx(np.trace(conf) / n, abs=1e-4)
    assert m["accuracy"] >= 0.9 and m["macro_f1"] >= 0.9
    assert 0 < m["coverage"] <= 1
    assert trained.trained_on["rows"] == n


def test_model_files_roundtrip_are_reproducible_and_hold_no_text(trained, labelled_csv, tmp_path):
    a = trained.save(tmp_path / "m.json.gz")
    b = trained.save(tmp_path / "m2.json.gz")
    assert a.read_bytes() == b.read_bytes()  # same model, same bytes
    d = json.loads(gzip.decompress(a.read_bytes()))
    assert d["package_version"] == pa.__version__ and d["format_version"] == 1 and d["kind"] == "tfidf-linear"
    blob = json.dumps(d, ensure_ascii=False)
    subjects = labelled_csv[1].raw["留言主题"].unique()
    assert not any(s in blob for s in subjects)  # features are 1-2 character n-grams, never messages
    text = read_labelled(labelled_csv[0])["text"].head(50)
    loaded = load_model(a)
    pd.testing.assert_frame_equal(loaded.predict(text), trained.predict(text), atol=1e-6)


def test_model_retrained_identically(labelled_csv, trained):
    again = train(read_labelled(labelled_csv[0]), folds=3)
    assert again.metrics == trained.metrics


def test_clean_with_a_trained_classifier(trained, tmp_path, board):
    path = trained.save(tmp_path / "m.json")
    res = pa.clean(board.raw, BOARD_MAPPING_YAML, pseudonym_key="k", classifier=path)
    truth = board.truth.set_index("case_id")["category"]
    got = res.data.set_index("case_id")["category"].reindex(truth.index)
    assert _agree(truth, got) >= 0.9


def test_read_labelled_maps_user_labels_and_refuses_unknown_ones(tmp_path):
    path = tmp_path / "l.csv"
    pd.DataFrame({"一级分类": ["城建", "咱们的类", "劳动社保"], "留言": ["小区物业", "公交太少", "拖欠工资"]}).to_csv(path, index=False)
    with pytest.raises(pa.StructuralError) as err:
        read_labelled(path)
    assert "1 labelled row(s)" in str(err.value) and "咱们的类" not in str(err.value)
    d = read_labelled(path, {"values": {"category": {"咱们的类": "transport"}}})
    assert d["category"].tolist() == ["urban_rural_construction", "transport", "labour_social_security"]


@pytest.mark.parametrize("content, problem", [
    (b"not json", "not a petition-analysis category model"),
    (json.dumps({"format": "something else"}).encode(), "not a petition-analysis category model"),
    (json.dumps({"format": "petition-analysis category model", "format_version": 99, "package_version": "9"}).encode(),
     "newer"),
])
def test_bad_model_files_fail_with_one_paragraph(tmp_path, content, problem):
    p = tmp_path / "m.json"
    p.write_bytes(content)
    with pytest.raises(ModelFileError) as err:
        load_model(p)
    assert problem in str(err.value)
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "missing.json")


def test_default_model_is_built_from_the_taxonomy_and_our_keywords():
    m = default_model()
    assert m.kind == "keywords" and "other" not in m.classes
    assert set(m.classes) <= set(taxonomy.category_codes())
    # a synonym from the taxonomy itself is a feature of its category
    i = m.features.index("欠薪")
    assert m.weights[i, m.classes.index("labour_social_security")] > 0
    # the default model's figures: evaluate() on labelled synthetic messages
    b = make_board(200, seed=8, planted=(), with_category=True)
    lab = pd.DataFrame({"category": b.truth["category"], "text": b.raw["留言主题"] + " " + b.raw["留言详情"]})
    r = evaluate(lab, "default")
    assert r["accuracy"] >= 0.85 and r["rows"] == 200 and r["kind"] == "keywords"


def test_vectorized_features_equal_scikit_learns_character_analyzer(trained, labelled_csv):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    text = read_labelled(labelled_csv[0])["text"].head(200)
    text = pd.concat([text, pd.Series(["", "  多个   空格\t和\n换行 ", "APP 与 app", "小"])], ignore_index=True)
    m = default_model()
    vec = CountVectorizer(analyzer="char", ngram_range=m.ngram_range, binary=True,
                          vocabulary={f: i for i, f in enumerate(m.features)})
    assert abs(vec.transform(text.to_numpy(dtype=object)) - m.features_matrix(text)).max() == 0
    vec = TfidfVectorizer(analyzer="char", ngram_range=trained.ngram_range, sublinear_tf=True,
                          vocabulary={f: i for i, f in enumerate(trained.features)})
    vec.idf_ = trained.idf
    assert abs(vec.transform(text.to_numpy(dtype=object)) - trained.features_matrix(text)).max() < 1e-12


def test_old_and_new_labels_of_one_category_train_as_one(tmp_path):
    b = make_board(200, seed=13, planted=(), with_category=True)
    raw = b.raw[["一级分类", "留言主题", "留言详情"]].copy()
    env = raw["一级分类"] == "环境保护"
    raw.loc[env[env].index[::2], "一级分类"] = "生态环境"  # half in the post-2018 label
    raw.to_csv(tmp_path / "l.csv", index=False)
    m = train(read_labelled(tmp_path / "l.csv"), folds=3)
    assert "environmental_protection" in m.classes and "ecology_environment" not in m.classes
