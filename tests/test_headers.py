"""Header dictionary, mapping files and header detection."""

from __future__ import annotations

import pandas as pd
import pytest

from petition_analysis.errors import HeaderNotFoundError, MappingError, MissingColumnsError
from petition_analysis.ingest.headers import (
    HEADER_ALIASES,
    Mapping,
    field_for,
    find_header,
    load_mapping,
    normalize_header,
    resolve_columns,
)


def test_every_design_header_is_known():
    design = ["编号", "登记日期", "来信日期", "来访日期", "受理日期", "留言时间", "信访形式", "来信来访", "人数", "来访人数",
              "到达层级", "是否越级", "问题属地", "所属地区", "区县", "问题分类", "内容分类", "一级分类", "二级分类", "信访人",
              "姓名", "身份证号", "联系电话", "住址", "办理状态", "办结日期", "答复时间", "满意度", "评价结果", "诉求", "留言详情"]
    assert all(field_for(h) for h in design), [h for h in design if not field_for(h)]


def test_aliases_are_unambiguous():
    seen = {}
    for fld, aliases in HEADER_ALIASES.items():
        for a in aliases:
            key = normalize_header(a)
            assert seen.setdefault(key, fld) == fld, (a, fld, seen[key])


def test_find_header_below_title_and_two_row_header():
    grid = pd.DataFrame([["XX市台账", "", "", ""], ["编号", "登记日期", "信访人信息", ""], ["", "", "姓名", "联系电话"],
                         ["A1", "2019-01-01", "张三", "138"]])
    row, headers = find_header(grid)
    assert row == 2 and headers == ["编号", "登记日期", "姓名", "联系电话"]
    with pytest.raises(HeaderNotFoundError):
        find_header(pd.DataFrame([["1", "2"], ["3", "4"]]))


def test_resolve_columns_with_renames_and_constants():
    m = Mapping.from_dict({"columns": {"地方": "region"}, "constants": {"level": "city"}})
    plan = resolve_columns(["编号", "登记日期", "形式", "地方", "分类", "备用"], m)
    assert plan.fields["region"] == [3] and plan.unmapped == ["备用"]
    with pytest.raises(MissingColumnsError, match="level"):
        resolve_columns(["编号", "登记日期", "形式", "地方", "分类"], Mapping.from_dict({"columns": {"地方": "region"}}))


def test_load_mapping_from_yaml_text_and_file(tmp_path):
    (tmp_path / "m.yaml").write_text("constants: {channel: online}\n", encoding="utf-8")
    assert load_mapping(tmp_path / "m.yaml").constants == {"channel": "online"}
    assert load_mapping(str(tmp_path / "m.yaml")).constants == {"channel": "online"}
    assert load_mapping("columns: {留言用户: account}\n").columns == {"留言用户": "account"}
    with pytest.raises(MappingError, match="header_row"):
        load_mapping({"header_row": 0})
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(tmp_path / "none.yaml")


def test_a_file_without_a_header_row_is_not_echoed_in_the_error(tmp_path):
    """Without a header the first row is a petitioner's record: the error counts its cells
    and names none of them (the message reaches the terminal, logs and a batch's index)."""
    import petition_analysis as pa
    from petition_analysis.errors import HeaderNotFoundError

    p = tmp_path / "nohdr.csv"
    p.write_text("张三,13800138000,110101199001011234,北京市朝阳区某路1号\n李四,13900139000,x,y\n", encoding="utf-8")
    with pytest.raises(HeaderNotFoundError) as err:
        pa.clean(str(p))
    text = str(err.value)
    assert "no header row" in text and "4 non-empty cell(s)" in text
    for value in ("张三", "13800138000", "110101199001011234", "朝阳区"):
        assert value not in text
