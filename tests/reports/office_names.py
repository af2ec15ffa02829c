"""An office's own data for tests: XX City's regions renamed to real place names (some with
characters outside GB 2312), 2022 and 2023 as one Parquet export per year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REAL = dict(zip(["甲区", "乙区", "丙区", "丁县", "戊县", "己县", "庚县", "辛县", "壬县", "癸县", "子县", "丑县", "寅市"],
                ["鄠邑区", "长安区", "雁塔区", "蓝田县", "周至县", "浉河区", "埇桥区", "临潼区", "阎良区", "高陵区",
                 "甪直镇", "鄂温克族自治旗", "韩城市"]))


def write_real_named_exports(folder: Path, reference_df: pd.DataFrame) -> list[str]:
    """The two yearly files, written to ``folder``; returns their paths."""
    df = reference_df[reference_df["received_date"].dt.year.isin([2022, 2023])].copy()
    df["region"] = df["region"].cat.rename_categories(REAL)
    paths = []
    for y in (2022, 2023):
        p = folder / f"y{y}.parquet"
        df[df["received_date"].dt.year == y].to_parquet(p)
        paths.append(str(p))
    return paths
