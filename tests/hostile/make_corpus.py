"""A corpus of hostile inputs for the command line (issue 11), written to a folder at test time.

Each :class:`Case` is one command line (``argv``, with ``{d}`` standing for the corpus
folder), the exit code it must end with, and for a ``clean`` that succeeds the number of
data rows in its input, so that a test can check ``rows in == clean + rejected``.

Run it alone to look at the files::

    python tests/hostile/make_corpus.py /tmp/corpus      # writes the files, prints the cases

Nothing generated here is committed: the files are made fresh in a temporary folder.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

HEADER = ["编号", "登记日期", "信访形式", "人数", "到达层级", "问题属地", "问题分类"]
GOOD = ["A1", "2019-03-05", "来访", "3", "到市", "甲区", "城建"]
#: Exit codes: 0 done, 1 a report failed or an internal error, 2 bad input or parameters.
OK, FAILED, BAD = 0, 1, 2


@dataclass
class Case:
    name: str
    argv: list[str]
    expect: int
    #: data rows of the input (below the header) when the clean must succeed
    rows: int | None = None
    #: words the error paragraph must contain (case-insensitive)
    words: list[str] = field(default_factory=list)
    #: the output Parquet file of a clean (for the rows check)
    output: str | None = None

    def resolved(self, d: Path) -> list[str]:
        return [a.replace("{d}", str(d)) for a in self.argv]


def _row(**change) -> list[str]:
    """A good row with some fields changed (by header name or position)."""
    row = list(GOOD)
    for k, v in change.items():
        row[HEADER.index(k) if k in HEADER else int(k)] = v
    return row


def _csv(rows: list[list[str]], header: list[str] | None = None) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header or HEADER)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _body(n: int = 3, **change) -> list[list[str]]:
    """n good rows (distinct case numbers) plus one row changed as asked."""
    rows = [_row(**{"编号": f"G{i}"}) for i in range(n)]
    if change:
        rows.append(_row(**{"编号": "X1", **change}))
    return rows


class Corpus:
    def __init__(self, d: Path):
        self.d = Path(d)
        self.d.mkdir(parents=True, exist_ok=True)
        self.cases: list[Case] = []

    def file(self, name: str, content: str | bytes, encoding: str = "utf-8") -> str:
        p = self.d / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return "{d}/" + name

    def clean(self, name: str, inp: str | list[str], expect: int, rows: int | None = None, *, extra=(), words=()) -> None:
        out = f"{{d}}/out_{name}.parquet"
        inputs = inp if isinstance(inp, list) else [inp]
        self.cases.append(Case(f"clean:{name}", ["clean", *inputs, "-o", out, "--no-progress", *extra], expect,
                               rows if expect == OK else None, list(words), out))

    def data(self, name: str, rows: list[list[str]], header=None, *, expect=OK, extra=(), words=(),
             encoding="utf-8") -> None:
        """A CSV case: the clean must end with ``expect`` and lose no row."""
        inp = self.file(f"{name}.csv", _csv(rows, header), encoding)
        self.clean(name, inp, expect, len(rows), extra=extra, words=words)

    def run(self, name: str, argv: list[str], expect: int, words=()) -> None:
        self.cases.append(Case(name, argv, expect, None, list(words)))


def make_corpus(d: str | Path) -> list[Case]:
    c = Corpus(Path(d))
    good = c.file("good.csv", _csv(_body(5)))
    _inputs(c)
    _values(c)
    _layout(c, good)
    _mappings(c, good)
    _options(c, good)
    _reports_and_batches(c)
    names = [x.name for x in c.cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return c.cases


# --------------------------------------------------------------------------- files that are not registers


def _inputs(c: Corpus) -> None:
    c.clean("missing_file", "{d}/no_such.csv", BAD, words=["does not exist"])
    (c.d / "a_folder").mkdir(exist_ok=True)
    c.clean("folder_as_input", "{d}/a_folder", BAD, words=["folder"])
    c.clean("empty_glob", "{d}/nothing_*.csv", BAD, words=["glob"])
    c.clean("empty_file", c.file("empty.csv", b""), BAD, words=["empty"])
    c.clean("whitespace_file", c.file("ws.csv", b"  \n\n \t\n"), BAD, words=["empty"])
    c.clean("binary_zeros", c.file("zeros.csv", b"\x00" * 5000), BAD)
    c.clean("binary_random", c.file("random.csv", bytes((i * 7919 + 13) % 256 for i in range(20000))), BAD)
    c.clean("png_named_csv", c.file("img.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), BAD)
    c.clean("truncated_xlsx", c.file("trunc.xlsx", b"PK\x03\x04" + b"\x00" * 100), BAD, words=["workbook"])
    c.clean("fake_xls_ole", c.file("fake.xls", b"\xd0\xcf\x11\xe0" + b"\x01" * 600), BAD)
    c.clean("text_named_xlsx", c.file("text.xlsx", _csv(_body(2))), BAD)
    c.clean("corrupt_parquet", c.file("bad.parquet", b"PAR1" + b"\x07" * 64), BAD, words=["parquet"])
    c.clean("no_header", c.file("noheader.csv", "a,b,c\n1,2,3\n4,5,6\n"), BAD, words=["header"])
    c.clean("header_only", c.file("headeronly.csv", _csv([])), OK, 0)
    c.clean("one_column", c.file("onecol.csv", "编号\nA1\nA2\n"), BAD)
    c.clean("missing_required", c.file("missreq.csv", "编号,登记日期\nA1,2019-03-05\n"), BAD, words=["not found"])
    c.clean("utf16_csv", c.file("u16.csv", _csv(_body(3)).encode("utf-16")), OK, 3)
    c.clean("latin1_garbage", c.file("latin1.csv", ("编号,登记日期\n".encode("utf-8") + b"\xe9\xff\xfe\xfa" * 50)), BAD)
    c.clean("gbk_csv", c.file("gbk.csv", _csv(_body(4)), "gbk"), OK, 4)
    c.clean("gb18030_csv", c.file("gb18030.csv", _csv(_body(4, 问题属地="𠀀区")), "gb18030"), OK, 5)
    c.clean("utf8_bom_csv", c.file("bom.csv", "\ufeff" + _csv(_body(4))), OK, 4)
    c.clean("wrong_encoding_option", c.file("enc.csv", _csv(_body(2)), "gbk"), BAD, extra=["--encoding", "utf-8"])
    c.clean("unknown_encoding_option", "{d}/good.csv", BAD, extra=["--encoding", "klingon-8"], words=["encoding"])
    os.symlink("/dev/zero", c.d / "zero.csv")
    c.clean("dev_zero_data", "{d}/zero.csv", BAD)
    if hasattr(os, "mkfifo"):
        pass  # a FIFO would block any reader: left out on purpose
    p = c.d / "noperm.csv"
    p.write_text(_csv(_body(2)), encoding="utf-8")
    os.chmod(p, 0)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    c.clean("permission_denied", "{d}/noperm.csv", OK if root else BAD, 2, words=[] if root else ["permission"])
    os.chmod(c.d / "a_folder", 0o755)


# --------------------------------------------------------------------------- hostile values in good files


HOSTILE_REGIONS = {
    # value → expected: "clean" (kept as the label shown) or "reject"
    "zwsp": ("甲\u200b区", "clean"), "bom_in_label": ("\ufeff甲区", "clean"), "zwj": ("甲\u200d区", "clean"),
    "ctrl_bell": ("甲区\x07", "clean"), "ctrl_esc": ("\x1b[31m甲区", "clean"), "nbsp": ("\xa0甲区\xa0", "clean"),
    "ideographic_space": ("\u3000甲区", "clean"), "rtl_override": ("\u202e甲区", "clean"),
    "nan": ("NaN", "reject"), "none": ("None", "reject"), "null": ("null", "reject"), "n_a": ("N/A", "reject"),
    "na_lower": ("n/a", "reject"), "hash_na": ("#N/A", "reject"), "nan_spaced": (" nan ", "reject"),
    "formula_hyperlink": ('=HYPERLINK("http://evil.example","甲区")', "reject"), "formula_plus": ("+1+1", "reject"),
    "formula_minus": ("-2+3", "reject"), "formula_at": ("@SUM(A1:A2)", "reject"),
    "formula_cmd": ("=cmd|' /C calc'!A0", "reject"), "formula_fullwidth": ("＝1+1", "reject"),
    "formula_tab": ("\t=1+1", "reject"), "only_zwsp": ("\u200b\u200b", "reject"), "blank_spaces": ("   ", "reject"),
    "very_long": ("区" * 5000, "clean"), "emoji": ("甲区🙂", "clean"), "html": ("<script>alert(1)</script>", "clean"),
}


def _values(c: Corpus) -> None:
    for name, (value, _) in HOSTILE_REGIONS.items():
        c.data(f"region_{name}", _body(2, 问题属地=value))
    for name, value in {"nan": "NaN", "none": "None", "null": "NULL", "formula": "=1+1", "zwsp": "A\u200b9",
                        "ctrl": "A\x0010", "long": "X" * 3000}.items():
        c.data(f"case_id_{name}", _body(2, 编号=value))
    persons = {"int32_wrap": "4294967297", "int64_over": "99999999999999999999999", "huge_float": "1e30",
               "above_bound": "10001", "at_bound": "10000", "negative": "-1", "zero": "0", "nan": "NaN",
               "inf": "inf", "fraction": "2.5", "exp": "1e3", "fullwidth": "３人", "hex": "0x10", "spaces": " 4 ",
               "plus_sign": "+5", "thousands": "1,000", "minus_zero": "-0", "int32_max": "2147483647",
               "int32_over": "2147483648"}
    for name, value in persons.items():
        c.data(f"persons_{name}", _body(2, 人数=value))
    dates = {"frac": "2023-05-06T10:11:12.345+08:00", "frac_space": "2023-05-06 10:11:12.5", "zulu": "2023-05-06T10:11:12Z",
             "tz_minus": "2023-05-06T23:59:59-05:00", "tz_nocolon": "2023-05-06 10:11:12+0800",
             "micro": "2023-05-06 10:11:12.123456", "feb30": "2019-02-30", "year9999": "9999-12-31",
             "year0001": "0001-01-01", "serial_huge": "99999999", "serial_neg": "-5", "words": "yesterday",
             "formula": "=TODAY()", "nan": "NaN", "ctrl": "2019-03-05\x00", "zwsp": "2019-03-\u200b05",
             "month13": "2019-13-01", "leap": "2020-02-29"}
    for name, value in dates.items():
        c.data(f"date_{name}", _body(2, 登记日期=value))
    for name, value in {"channel_formula": ("信访形式", "=1"), "level_nan": ("到达层级", "NaN"),
                        "category_formula": ("问题分类", "=HYPERLINK(1)"), "category_nan": ("问题分类", "None"),
                        "channel_zwsp": ("信访形式", "来\u200b访")}.items():
        c.data(name, _body(2, **{value[0]: value[1]}))


# --------------------------------------------------------------------------- layout


def _layout(c: Corpus, good: str) -> None:
    c.data("extra_cells", _body(2) + [GOOD[:1] + ["2019-03-06"] + GOOD[2:] + ["extra", "cells", "=1+1"]])
    c.data("short_row", _body(2) + [["S1", "2019-03-06", "来信"]])
    c.data("duplicate_header", [r + ["乙区"] for r in _body(2)], header=HEADER + ["问题属地"])
    c.data("header_with_zwsp", _body(2), header=[h + "\u200b" for h in HEADER])
    c.data("header_with_bom_cells", _body(2), header=["\ufeff" + h for h in HEADER])
    c.clean("quoted_newlines", c.file("qnl.csv", _csv(_body(1) + [_row(**{"编号": "Q1", "问题属地": "甲\n区"})])), OK, 2)
    c.clean("unbalanced_quote", c.file("uq.csv", _csv(_body(2)) + 'U1,"2019-03-05,来信,1,到市,甲区,城建\n'), BAD,
            words=["CSV"])
    c.clean("crlf", c.file("crlf.csv", _csv(_body(3)).replace("\n", "\r\n")), OK, 3)
    c.clean("cr_only", c.file("cr.csv", _csv(_body(3)).replace("\n", "\r")), OK, 3)
    c.clean("tabs", c.file("tabs.tsv", _csv(_body(3)).replace(",", "\t")), OK, 3)
    c.clean("semicolons", c.file("semi.csv", _csv(_body(3)).replace(",", ";")), BAD, words=["header"])
    c.clean("nul_in_cells", c.file("nul.csv", _csv(_body(2, 问题属地="甲\x00区"))), OK, 3)
    c.clean("long_cell", c.file("longcell.csv", _csv(_body(2, 问题分类="城" * 1_000_000))), OK, 3)
    wide = HEADER + [f"c{i}" for i in range(10_000 - len(HEADER))]
    c.clean("wide_header_10000", c.file("wide.csv", _csv([GOOD + [""] * (len(wide) - len(GOOD))], wide)), OK, 1)
    c.clean("title_then_header", c.file("title.csv", "XX市信访登记台账\n" + _csv(_body(3))), OK, 3)
    c.clean("title_only", c.file("titleonly.csv", "XX市信访登记台账\n"), BAD)
    c.clean("many_blank_rows", c.file("blanks.csv", _csv(_body(2)) + ",,,,,,\n" * 50), OK, 52)
    c.clean("good_input", good, OK, 5)
    c.clean("same_file_twice", [good, good], OK, 10)
    c.clean("chunk_rows_1", good, OK, 5, extra=["--chunk-rows", "1"])
    c.clean("chunk_rows_2", good, OK, 5, extra=["--chunk-rows", "2"])
    _excel(c)


def _excel(c: Corpus) -> None:
    import xlsxwriter

    def book(name: str, fill) -> str:
        wb = xlsxwriter.Workbook(str(c.d / name))
        ws = wb.add_worksheet("2019")
        fill(wb, ws)
        wb.close()
        return "{d}/" + name

    def merged(wb, ws):
        ws.write_row(0, 0, HEADER)
        for i in range(6):
            row = _row(**{"编号": f"M{i}"})
            ws.write_row(i + 1, 0, row if i in (0, 3) else row[:5] + [""] + row[6:])
        fmt = wb.add_format({"valign": "vcenter"})
        ws.merge_range(1, 5, 3, 5, "甲区", fmt)  # rows 2-4: region 甲区
        ws.merge_range(4, 5, 6, 5, "乙区", fmt)  # rows 5-7: region 乙区
    c.clean("xlsx_merged_region", book("merged.xlsx", merged), OK, 6)

    def formulas(wb, ws):
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, GOOD)
        ws.write_row(2, 0, _row(**{"编号": "F1"}))
        ws.write_formula(2, 5, '=HYPERLINK("http://evil.example","甲区")', None, "甲区")
        ws.write_formula(2, 3, "=1/0", None, "#DIV/0!")
    c.clean("xlsx_formula_cells", book("formulas.xlsx", formulas), OK, 2)

    def typed(wb, ws):
        import datetime as dt

        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["T1", dt.datetime(2019, 3, 5, 10, 11, 12, 500000), "来访", 4294967297, "到市", True, "城建"],
                     wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss.000"}))
        ws.write_row(2, 0, ["T2", 43529.75, "来访", 2.0, "到市", 3.5, "城建"])
    c.clean("xlsx_typed_cells", book("typed.xlsx", typed), OK, 2)

    def empty(wb, ws):
        pass
    c.clean("xlsx_empty", book("empty.xlsx", empty), BAD, words=["empty"])
    c.clean("xlsx_no_such_sheet", "{d}/merged.xlsx", BAD, extra=["--sheet", "nope"], words=["sheet"])


# --------------------------------------------------------------------------- mapping files


def _mappings(c: Corpus, good: str) -> None:
    def m(name: str, text: str | bytes, expect: int, words=(), encoding="utf-8") -> None:
        path = c.file(f"map_{name}.yaml", text, encoding)
        out = f"{{d}}/out_map_{name}.parquet"
        c.cases.append(Case(f"mapping:{name}", ["clean", good, "-o", out, "--no-progress", "--mapping", path],
                            expect, 5 if expect == OK else None, list(words), out))

    os.symlink("/dev/zero", c.d / "map_zero.yaml")
    c.cases.append(Case("mapping:dev_zero", ["clean", good, "-o", "{d}/o.parquet", "--mapping", "{d}/map_zero.yaml"],
                        BAD, None, ["mapping"]))
    os.symlink("/dev/urandom", c.d / "map_urandom.yaml")
    c.cases.append(Case("mapping:dev_urandom", ["clean", good, "-o", "{d}/o.parquet", "--mapping", "{d}/map_urandom.yaml"],
                        BAD, None, ["mapping"]))
    (c.d / "map_folder.yaml").mkdir(exist_ok=True)
    c.cases.append(Case("mapping:folder", ["clean", good, "-o", "{d}/o.parquet", "--mapping", "{d}/map_folder.yaml"],
                        BAD, None, ["folder"]))
    c.cases.append(Case("mapping:missing", ["clean", good, "-o", "{d}/o.parquet", "--mapping", "{d}/nope.yaml"],
                        BAD, None, ["does not exist"]))
    m("too_big", "# " + "x" * (2 << 20) + "\n", BAD, ["MB"])
    m("empty", "", OK)
    m("comment_only", "# nothing\n", OK)
    m("gbk", "columns: {问题属地: region}\nvalues: {region: {甲区: 甲区}}\n", OK, encoding="gbk")
    m("gb18030", "columns: {问题属地: region}\nvalues: {region: {甲区: 𠀀区}}\n", OK, encoding="gb18030")
    m("utf8_bom", "\ufeffcolumns: {问题属地: region}\n", OK)
    m("utf16", "columns: {问题属地: region}\n".encode("utf-16"), OK)
    m("binary", bytes(range(256)) * 4, BAD, ["mapping"])
    m("nul_bytes", b"columns:\x00 {a: b}\n", BAD, ["mapping"])
    m("not_yaml", "columns: {a: [\n", BAD, ["YAML"])
    m("top_list", "- a\n- b\n", BAD, ["mapping"])
    m("top_scalar", "hello\n", BAD, ["mapping"])
    m("misspelled_key", "colums: {问题属地: region}\n", BAD, ["did you mean", "columns"])
    m("misspelled_field", "columns: {问题属地: regoin}\n", BAD, ["did you mean", "region"])
    m("values_list", "values: {channel: [a, b]}\n", BAD, ["values", "channel"])
    m("values_scalar", "values: {channel: letter}\n", BAD, ["values"])
    m("values_nested", "values: {channel: {a: {b: c}}}\n", BAD, ["values"])
    m("values_bad_target", "values: {channel: {来访: teleport}}\n", BAD, ["channel"])
    m("columns_list", "columns: [a, b]\n", BAD, ["columns"])
    m("columns_value_list", "columns: {问题属地: [region]}\n", BAD, ["columns"])
    m("columns_null_value", "columns: {问题属地: null}\n", BAD, ["columns"])
    m("constants_dict", "constants: {channel: {a: 1}}\n", BAD, ["constants"])
    m("constants_bad_channel", "constants: {channel: teleport}\n", BAD, ["channel"])
    m("constants_ok", "constants: {level: city}\n", OK)
    m("date_formats_bad", 'date_formats: {received_date: ["%Q-%d"]}\n', BAD, ["date_formats"])
    m("date_formats_int", "date_formats: {received_date: 5}\n", BAD, ["date_formats"])
    m("date_formats_unknown_field", 'date_formats: {recieved_date: ["%d.%m.%Y"]}\n', BAD, ["did you mean"])
    m("date_formats_ok", 'date_formats: {received_date: ["%d.%m.%Y"]}\n', OK)
    m("header_row_text", "header_row: two\n", BAD, ["header_row"])
    m("header_row_zero", "header_row: 0\n", BAD, ["header_row"])
    m("header_row_bool", "header_row: true\n", BAD, ["header_row"])
    m("header_row_huge", "header_row: 1000000000\n", BAD, ["header_row"])
    m("sheet_list", "sheet: [1, 2]\n", BAD, ["sheet"])
    m("encoding_bogus", "encoding: klingon\n", BAD, ["encoding"])
    m("encoding_int", "encoding: 5\n", BAD, ["encoding"])
    m("alias_bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
      BAD, ["unknown key"])
    m("python_tag", "columns: !!python/object/apply:os.system ['echo pwned']\n", BAD, ["YAML"])
    m("int_keys", "columns: {1: region}\n", OK)
    m("deep_nesting", "columns: " + "[" * 5000 + "]" * 5000 + "\n", BAD, ["mapping"])


# --------------------------------------------------------------------------- options


def _options(c: Corpus, good: str) -> None:
    o = ["clean", good, "-o", "{d}/opt.parquet"]
    for name, extra, words in [
        ("chunk_rows_zero", ["--chunk-rows", "0"], ["--chunk-rows"]),
        ("chunk_rows_negative", ["--chunk-rows", "-5"], ["--chunk-rows"]),
        ("collective_1", ["--collective-threshold", "1"], ["--collective-threshold", "2"]),
        ("collective_0", ["--collective-threshold", "0"], ["--collective-threshold"]),
        ("collective_negative", ["--collective-threshold", "-3"], ["--collective-threshold"]),
        ("window_zero", ["--repeat-window-days", "0"], ["--repeat-window-days"]),
        ("window_negative", ["--repeat-window-days", "-30"], ["--repeat-window-days"]),
        ("collective_text", ["--collective-threshold", "five"], []),
        ("chunk_rows_text", ["--chunk-rows", "1e3"], []),
        ("unknown_option", ["--colective-threshold", "5"], []),
    ]:
        c.run(f"option:{name}", o + extra, BAD, words)
    c.run("option:out_under_dev_null", ["clean", good, "-o", "/dev/null/x.parquet"], BAD, ["/dev/null"])
    c.run("option:out_not_parquet", ["clean", good, "-o", "{d}/x.csv"], BAD, ["parquet"])
    c.run("option:out_is_folder", ["clean", good, "-o", "{d}/a_folder"], BAD, [])
    c.run("option:out_missing", ["clean", good], BAD, ["-o"])
    c.run("option:rejects_under_dev_null", ["clean", good, "-o", "{d}/r.parquet", "--rejects", "/dev/null/r.csv"],
          BAD, ["/dev/null"])
    c.run("option:out_dataset_under_dev_null", ["clean", good, "--out-dataset", "/dev/null/ds"], BAD, ["/dev/null"])
    c.run("option:out_dataset_chunk_1", ["clean", good, "--out-dataset", "{d}/ds1", "--chunk-rows", "1",
                                         "--no-progress"], OK)
    c.run("option:out_dataset_collective_1", ["clean", good, "--out-dataset", "{d}/ds2", "--collective-threshold", "1"],
          BAD, ["--collective-threshold"])
    c.run("option:memory_limit_bogus", ["clean", good, "--out-dataset", "{d}/ds3", "--memory-limit", "lots"], BAD,
          ["--memory-limit"])
    c.run("cli:no_command", [], BAD)
    c.run("cli:unknown_command", ["explode"], BAD)
    c.run("headline:year_text", ["headline", "--year", "abc"], BAD)
    c.run("headline:bad_data", ["headline", "--data", good], BAD, ["no whole year", "--as-of", "--data"])
    c.run("headline:region_blank", ["headline", "--region", "  "], BAD, ["region"])
    c.run("headline:dev_zero", ["headline", "--data", "{d}/zero.csv"], BAD)
    c.run("synth:rows_zero", ["synth", "messy", "-o", "{d}/m.csv", "--rows", "0"], BAD, ["--rows"])
    c.run("synth:scale_zero", ["synth", "generate", "-o", "{d}/g.parquet", "--scale", "0"], BAD, ["--scale"])
    c.run("synth:years_backwards", ["synth", "generate", "-o", "{d}/g.parquet", "--years", "2020-2010"], BAD)


# --------------------------------------------------------------------------- reports and batches (fail before any kernel)


def _reports_and_batches(c: Corpus) -> None:
    for name, extra, words in [
        ("timeout_zero", ["annual", "--timeout", "0"], ["--timeout"]),
        ("timeout_negative", ["annual", "--timeout", "-1"], ["--timeout"]),
        ("region_blank", ["annual", "--region", "  "], ["region"]),
        ("region_unknown", ["annual", "--region", "火星区"], ["region"]),
        ("quarter_5", ["quarterly", "--year", "2023", "--quarter", "5"], ["quarter"]),
        ("year_far", ["annual", "--year", "1800"], ["1800"]),
        ("mapping_dev_zero", ["annual", "--year", "2019", "--data", "{d}/good.csv", "--mapping", "{d}/map_zero.yaml"],
         ["mapping"]),
        ("data_folder", ["annual", "--data", "{d}/a_folder"], ["folder"]),
        ("out_under_dev_null", ["annual", "--out", "/dev/null/reports"], ["/dev/null"]),
    ]:
        c.run(f"report:{name}", ["report", *extra, "--no-progress"], BAD, words)

    def plan(name: str, text: str, expect: int = BAD, words=(), extra=()) -> None:
        c.run(f"batch:{name}", ["batch", c.file(f"plan_{name}.yaml", text), "--no-progress", *extra], expect, words)

    plan("reports_empty", "reports: []\n", words=["reports"])
    plan("workers_text", "workers: two\nreports: [{kind: annual, years: [2023]}]\n", words=["workers"])
    plan("workers_zero", "workers: 0\nreports: [{kind: annual, years: [2023]}]\n", words=["workers"])
    plan("timeout_zero", "timeout: 0\nreports: [{kind: annual, years: [2023]}]\n", words=["timeout"])
    plan("timeout_text", "timeout: soon\nreports: [{kind: annual, years: [2023]}]\n", words=["timeout"])
    plan("disclosure_budget_negative", "disclosure_seconds: -5\nreports: [{kind: annual, years: [2023], public: true}]\n",
         words=["disclosure_seconds"])
    plan("misspelled_plan_key", "worker: 2\nreports: [{kind: annual, years: [2023]}]\n", words=["did you mean", "workers"])
    plan("misspelled_entry_key", "reports: [{kind: annual, yeras: [2023]}]\n", words=["did you mean", "years"])
    plan("kind_missing", "reports: [{years: [2023]}]\n", words=["kind"])
    plan("kind_misspelled", "reports: [{kind: anual, years: [2023]}]\n", words=["did you mean", "annual"])
    plan("entry_not_dict", "reports: [annual]\n", words=["report 1"])
    plan("reports_not_list", "reports: annual\n", words=["reports"])
    plan("top_list", "- kind: annual\n", words=["reports"])
    plan("not_yaml", "reports: [\n", words=["YAML"])
    # A report of a valid plan with a bad parameter is one failed report (exit 1); the others would run.
    plan("bad_year", "reports: [{kind: annual, years: [1800]}]\n", FAILED, words=["1800"])
    plan("bad_quarter", "reports: [{kind: quarterly, years: [2023], quarters: [9]}]\n", FAILED, words=["quarter"])
    plan("cli_workers_zero", "reports: [{kind: annual, years: [2023]}]\n", words=["--workers"], extra=["--workers", "0"])
    plan("cli_timeout_zero", "reports: [{kind: annual, years: [2023]}]\n", words=["--timeout"], extra=["--timeout", "0"])
    c.run("batch:dev_zero", ["batch", "{d}/zero.csv"], BAD, ["plan"])
    c.run("batch:folder", ["batch", "{d}/a_folder"], BAD, ["folder"])
    c.run("batch:missing", ["batch", "{d}/no_plan.yaml"], BAD, ["does not exist"])


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_corpus")
    cases = make_corpus(target)
    for case in cases:
        print(f"{case.expect}  {case.name:<40} {' '.join(case.resolved(target))[:120]}")
    print(f"{len(cases)} cases in {target}")
