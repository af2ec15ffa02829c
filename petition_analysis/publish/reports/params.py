"""Report parameters: checked once, in one place, before any figure is computed.

The report notebooks call :func:`prepare` in the cell right after their ``parameters``
cell, and the runner calls it before it starts a kernel, so a bad parameter fails at once
with a sentence that says what is allowed (papermill's ``-p`` guesses types, so strings
such as ``"2019"`` are accepted where they are unambiguous).

>>> ctx = prepare("annual", year=2019, as_of="2019-12-20", lang="zh")
>>> ctx.year, ctx.as_of.isoformat(), ctx.region, ctx.region_slug
(2019, '2019-12-20', None, 'xx-city')

The city is named by ``city`` (or an office file, ``office``; see :mod:`petition_analysis.office`),
and regions by their English names in English reports:

>>> xian = prepare("annual", year=2019, city="西安市", region="庚县", lang="en")
>>> xian.office.label("zh"), xian.office.slug, xian.region_label, xian.region_slug
('西安市', 'xian-shi', 'Geng County', 'geng-xian')

A year-to-date report reads the register as it stood on its as-of date: no row received
later reaches a section, and the quality appendix counts the rows left out.

>>> ctx.data["received_date"].max().date().isoformat(), ctx.extraction_date.date().isoformat()
('2019-12-20', '2019-12-20')
>>> ctx.quality["rows_after_as_of"]
114592
>>> prepare("quarterly", year=2019, quarter=5)
Traceback (most recent call last):
...
petition_analysis.errors.ReportParameterError: quarter must be 1, 2, 3 or 4, not 5.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ... import office as _office
from ... import periods
from ... import reference
from ...errors import StructuralError
from ...ingest import sources as _sources
from ...office import Office, OfficeFileError, slugify

__all__ = ["REPORT_KINDS", "LANGS", "ReportParameterError", "ReportContext", "prepare", "load_input", "load_sources", "previous_year_hint", "slugify",
           "check_keywords", "did_you_mean"]

REPORT_KINDS = ("annual", "quarterly", "hotspots")
LANGS = ("zh", "en")
#: Counts from 1 to k−1 are suppressed in public output.
DEFAULT_SUPPRESSION_K = 5


from ...errors import ReportParameterError  # noqa: E402 (defined below the pipeline; the name users import is here)


def did_you_mean(name, choices) -> str:
    """``" (did you mean 'year'?)"`` for the closest of ``choices``, else ``""``.

    >>> did_you_mean("yeer", ["year", "quarter"]), did_you_mean("zzz", ["year"])
    (" (did you mean 'year'?)", '')
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keywords(given, allowed, where: str) -> None:
    """Raise :class:`ReportParameterError` naming each unknown keyword of ``given`` and
    the closest allowed one (a misspelled ``**params`` or plan key).

    >>> check_keywords({"yeer": 2019}, ["year", "lang"], "run()")
    Traceback (most recent call last):
    ...
    petition_analysis.errors.ReportParameterError: run() got an unknown parameter 'yeer' (did you mean 'year'?). Allowed: lang, year.
    """
    allowed = sorted(set(map(str, allowed)))
    unknown = [k for k in given if k not in allowed]
    if unknown:
        which = "; ".join(f"{k!r}{did_you_mean(k, allowed)}" for k in unknown)
        raise ReportParameterError(f"{where} got an unknown parameter{'s' if len(unknown) > 1 else ''} {which}. "
                                   f"Allowed: {', '.join(allowed)}.")


def _keywords_checked(func):
    """Misspelled keywords raise :class:`ReportParameterError` with a suggestion, not a bare TypeError."""
    sig = inspect.signature(func)
    names = [n for n, p in sig.parameters.items() if p.kind is not p.VAR_KEYWORD]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        check_keywords(kwargs, names[1:], f"{func.__name__}()")
        try:
            sig.bind(*args, **kwargs)
        except TypeError as err:
            raise ReportParameterError(f"{func.__name__}(): {err}. Call it as {func.__name__}(kind, year=..., ...); "
                                       "see its docstring.") from None
        return func(*args, **kwargs)

    return wrapper


@dataclass
class ReportContext:
    """Everything a report needs after its parameters are checked."""

    kind: str
    #: canonical rows (all regions: comparisons need the whole city too); for an annual
    #: report with an as-of date only the rows received on or before it
    data: pd.DataFrame
    data_path: str
    data_sha256: str
    lang: str
    public: bool
    year: int | None = None
    as_of: dt.date | None = None
    quarter: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    region: str | None = None
    mapping: str | None = None
    #: ``--city`` as given, and the office file's path (absolute), if any
    city: str | None = None
    office_path: str | None = None
    #: the city's names, its regions' English names and slugs (see :mod:`petition_analysis.office`)
    office: Office = field(default_factory=Office)
    #: the input files: ``path`` (absolute), ``sha256``, ``rows`` read from each
    data_files: list = field(default_factory=list)
    suppression_k: int = DEFAULT_SUPPRESSION_K
    quality: dict = field(default_factory=dict)
    #: a public batch's series decisions (JSON path), so that every report hides the same cells
    disclosure_plan: str | None = None
    #: the day the register is read as of: ``as_of`` when given, else the data's last
    #: received date (cases still open then are censored there)
    extraction_date: pd.Timestamp | None = None
    #: tables computed once per report and shared by its sections (see sections._memo)
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def region_label(self) -> str:
        """The region's name in the report's language, or the whole city's (an English
        report gives a region's English name: the office file's, else from pinyin)."""
        if self.region is None:
            return self.office.label(self.lang)
        return self.office.region_label(self.region, self.lang)

    @property
    def region_slug(self) -> str:
        """The slug in the report's file name: the city's, or the region's (unique among
        the data's regions)."""
        if self.region is None:
            return self.office.slug
        slugs = self.cache.get("_region_slugs")
        if slugs is None:
            names = [str(r) for r in self.data["region"].unique()]
            slugs = self.cache["_region_slugs"] = _office.unique_slugs(
                names, fixed=self.office.fixed_slugs(names), reserved={self.office.slug})
        return slugs.get(self.region) or self.office.region_slug(self.region)

    @property
    def region_data(self) -> pd.DataFrame:
        """Rows of the chosen region (all rows for the whole city)."""
        if self.region is None:
            return self.data
        return self.data[self.data["region"].astype("str") == self.region]

    def parameters(self) -> dict:
        """The checked parameters, JSON-ready."""
        out = {"kind": self.kind, "data": self.data_path, "lang": self.lang, "public": self.public,
               "region": self.region, "mapping": self.mapping, "city": self.city, "office": self.office_path}
        if self.kind == "annual":
            out.update(year=self.year, as_of=self.as_of.isoformat() if self.as_of else None)
        elif self.kind == "quarterly":
            out.update(year=self.year, quarter=self.quarter)
        else:
            out.update(start_year=self.start_year, end_year=self.end_year)
        if self.disclosure_plan:
            out["disclosure_plan"] = self.disclosure_plan
        return out

    def published_parameters(self) -> dict:
        """The parameters as a report prints them: a public report names no file (a file or
        folder name can hold a person's name); the data's SHA-256 identifies the input."""
        out = self.parameters()
        if self.public:
            for key in ("data", "mapping", "office", "disclosure_plan"):
                if out.get(key) is not None:
                    out[key] = "(not shown in public reports)"
        return out


def _int(name: str, value, allowed: str) -> int:
    if isinstance(value, bool):
        raise ReportParameterError(f"{name} must be {allowed}, not {value!r}.")
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(str(value).strip()) if not isinstance(value, float) else int(value)
    except (TypeError, ValueError):
        raise ReportParameterError(f"{name} must be {allowed}, not {value!r}.") from None


def _bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off", "none", ""):
        return False
    raise ReportParameterError(f"{name} must be true or false, not {value!r}.")


def _none(value):
    """papermill passes None, but a shell user may write 'none' or ''."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    return value


def load_input(data=None, mapping=None) -> tuple[pd.DataFrame, str | list[str], str, dict]:
    """Load report input: the reference data (``data=None``), or one or several files,
    folders and glob patterns (a list): canonical Parquet files, put together, or raw
    exports (CSV/xlsx), cleaned together with ``mapping`` (see
    :mod:`petition_analysis.ingest.sources`). Returns the canonical frame, the input path
    (a list of paths for several files), the input's SHA-256 and the data-quality summary
    (rows read, rejected by reason, unmapped labels). :func:`load_sources` also gives each
    file's path, SHA-256 and rows."""
    src = load_sources(data, mapping)
    # A shallow copy: with copy-on-write, a caller's changes never reach the cache.
    quality = dict(src.quality)
    return src.data.copy(deep=False), _data_path(src), src.sha256, quality


def _absolute(path) -> str | None:
    """An input file's absolute path: the report notebook runs in its own folder, so a path
    relative to the caller's folder would not be found there. Reports print file names only."""
    path = _none(path)
    return None if path is None else str(Path(path).resolve())


def _data_path(src) -> str | list[str]:
    return src.paths[0] if len(src.paths) == 1 else list(src.paths)


def load_sources(data=None, mapping=None) -> "_sources.Sources":
    """:func:`petition_analysis.ingest.sources.load_sources` with the reference data as the
    default, errors as :class:`ReportParameterError`, and a cache of the last few inputs
    (keyed by each file's size and modification time)."""
    data = _none(data)
    if isinstance(data, (list, tuple)):
        data = [d for d in (_none(x) for x in data) if d is not None] or None
    mapping = _none(mapping)
    if data is None:
        path = reference.reference_path()
        if not path.exists():
            raise ReportParameterError(f"data file {path} does not exist; run `make data`.")
        data = str(path)
    if mapping is not None and not Path(mapping).is_file():
        raise ReportParameterError(f"mapping file {mapping} does not exist." if not Path(mapping).exists() else
                                   f"mapping file {mapping} is not a file; give the YAML file itself.")
    try:
        paths = _sources.expand_data(data)
        key = tuple(_stamp(p) for p in paths)
        mkey = None if mapping is None else (str(Path(mapping).resolve()), Path(mapping).stat().st_mtime_ns)
        src = _load_sources_cached(key, None if mapping is None else str(mapping), mkey)
    except StructuralError as err:
        raise ReportParameterError(_input_problem(err)) from None
    except OSError as err:  # permission denied, a device, a file removed meanwhile
        raise ReportParameterError(f"data {getattr(err, 'filename', None) or data} cannot be read "
                                   f"({err.strerror or err}); check the path and its permissions.") from None
    return _sources.Sources(src.data.copy(deep=False), [dict(f) for f in src.files], src.kind, dict(src.quality))


def _input_problem(err: StructuralError) -> str:
    """One paragraph naming the input that could not be read."""
    from ...errors import MappingError

    if isinstance(err, MappingError):  # it names the mapping file itself
        return " ".join(str(err).split("\n"))
    problem = " ".join(str(err.problem).split("\n")).rstrip(".")
    hint = f" {err.hint}" if err.hint else ""
    if problem == "the file does not exist":
        return f"data file {err.source} does not exist.{hint}"
    return f"data {err.source}: {problem}.{hint}" if err.source else f"data: {problem}.{hint}"


def _stamp(path: Path) -> tuple:
    """What identifies a file's version for the cache: path, size, modification time (for a
    dataset folder, its log's)."""
    probe = path / _sources.DATASET_LOG if path.is_dir() else path
    st = probe.stat()
    if not path.is_dir() and not path.is_file():
        raise ReportParameterError(f"data {path} is not a regular file (a device, pipe or socket); give canonical "
                                   "Parquet files or raw CSV/xlsx exports.")
    return str(path), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=4)
def _load_sources_cached(key: tuple, mapping, _mapping_key):
    return _sources.load_sources([k[0] for k in key], mapping, progress=False)


def _quality_from(result) -> dict:
    """The quality appendix of a cleaned raw export. Unmapped labels are given as rows per
    field, not as the labels themselves: a label is raw text, and a name or number typed
    into the wrong column must not reach a published report."""
    return _sources.cleaning_quality(result)


@_keywords_checked
def prepare(
    kind: str,
    *,
    data=None,
    year=None,
    as_of=None,
    quarter=None,
    start_year=None,
    end_year=None,
    region=None,
    lang=None,
    public=False,
    mapping=None,
    city=None,
    office=None,
    suppression_k=DEFAULT_SUPPRESSION_K,
    disclosure_plan=None,
    frame: pd.DataFrame | None = None,
) -> ReportContext:
    """Check report parameters and load the data. Raises :class:`ReportParameterError`
    with a sentence that says what is allowed.

    ``data``: a file, folder or glob pattern, or a list of them (several years of exports;
    see :func:`load_input`). ``city``: the city's Chinese name for titles, text and file
    names (default: XX市 for the bundled data); ``office``: an office file (YAML) with the
    city's names, its regions' English names and the default ``lang`` (see
    :mod:`petition_analysis.office`). ``lang`` defaults to the office file's, else zh.

    ``frame`` passes an already loaded canonical table (the batch runner uses it to avoid
    re-reading); ``data`` is then only recorded. ``disclosure_plan``: the JSON file in which
    a public batch recorded the series' suppression decisions (see ``reports.batch``).
    """
    if kind not in REPORT_KINDS:
        raise ReportParameterError(f"report kind must be one of {', '.join(REPORT_KINDS)}, not {kind!r}.")
    office_path = _none(office)
    if office_path is not None and not isinstance(office_path, Office):
        if not Path(str(office_path)).is_file():
            raise ReportParameterError(f"office file {office_path} does not exist; check the path, or leave it out "
                                       "(then --city names the city).")
        office_path = str(Path(str(office_path)).resolve())
    city = _none(city)
    try:  # the file first: a bad office file fails before the data are read
        named = _office.make_office(city=city, office=office_path) if (city or office_path) else None
    except OfficeFileError as err:
        raise ReportParameterError(str(err)) from None
    lang = _none(lang) or (named.lang if named is not None and named.lang else "zh")
    if lang not in LANGS:
        raise ReportParameterError(f"lang must be 'zh' or 'en', not {lang!r}.")
    public = _bool("public", public)
    # At least 3: a published "<2" would give the value 1 away (suppression.suppress agrees).
    k = _int("suppression_k", suppression_k, "a whole number from 3 to 100")
    if not 3 <= k <= 100:
        raise ReportParameterError(f"suppression_k must be a whole number from 3 to 100, not {k}.")

    files = []
    if frame is not None:
        given = _none(data)
        path = ([str(d) for d in given] if isinstance(given, (list, tuple)) else str(given or reference.reference_path()))
        df, sha, quality = frame, "", {}
    else:
        src = load_sources(data, mapping)
        df, path, sha, quality, files = src.data, _data_path(src), src.sha256, dict(src.quality), src.files
    if df.empty:
        raise ReportParameterError(f"data {path} has no clean rows to report on.")
    years = sorted(int(y) for y in df["received_date"].dt.year.unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    end = periods.data_end(df)

    if isinstance(region, str) and region and not region.strip():
        raise ReportParameterError("region is blank; leave it out (None) for the whole city, or name a region in the data.")
    region = _none(region)
    the_office = named if named is not None else _office.make_office(data=df)
    if region is not None:
        region = _region_in(str(region).strip(), sorted(df["region"].astype("str").unique()), the_office)

    ctx = ReportContext(kind=kind, data=df, data_path=path, data_sha256=sha, lang=lang, public=public,
                        region=region, mapping=_absolute(mapping), suppression_k=k, quality=dict(quality),
                        extraction_date=end, city=city,
                        office_path=_absolute(office_path) if isinstance(office_path, str) else None,
                        office=the_office, data_files=files)
    _office.use(ctx.office)  # tables, plots and the registry name regions as this office does
    if _none(disclosure_plan) is not None:
        if not public:
            raise ReportParameterError("disclosure_plan is for public reports; add public=True or leave it out.")
        if not Path(str(disclosure_plan)).is_file():
            raise ReportParameterError(f"disclosure_plan {disclosure_plan} does not exist; run the series with "
                                       "`petition-analysis batch`, which writes it.")
        ctx.disclosure_plan = str(disclosure_plan)

    if kind == "annual" and _none(year) is None:
        from ..headline import latest_complete_year

        year = latest_complete_year(df)  # the default annual report: the latest complete year
        if year not in years:
            last, day = years[-1], end.date().isoformat()
            raise ReportParameterError(
                f"the data cover {span}, up to {day}: no whole year to report on. Give year={last} (--year {last}) "
                f"with as_of={day} (--as-of {day}) to report {last} to date, and add the {last - 1} register: "
                f"{previous_year_hint(path, last)}")
    if kind in ("annual", "quarterly"):
        y = _int("year", year, f"a year in the data ({span})")
        if y not in years:
            raise ReportParameterError(f"year {y} is not in the data, which covers {span}.")
        if y - 1 not in years:
            choose = (f"choose a year whose previous year is in the data, e.g. {years[-1]}, or "
                      if any(v - 1 in years for v in years) else "")
            raise ReportParameterError(
                f"year {y} is compared with {y - 1}, which is not in the data ({span}); "
                f"{choose}add the {y - 1} register to the data: {previous_year_hint(path, y)}"
            )
        ctx.year = y
    if kind == "annual":
        as_of = _none(as_of)
        if as_of is not None:
            try:
                d = pd.Timestamp(as_of).date()
            except (ValueError, TypeError):
                raise ReportParameterError(f"as_of must be a date like {ctx.year}-12-20, not {as_of!r}.") from None
            if d.year != ctx.year:
                raise ReportParameterError(
                    f"as_of ({d.isoformat()}) must be a date in {ctx.year}, e.g. {ctx.year}-12-20, or empty for the whole year."
                )
            _require_covered(end, periods.ytd(d))  # no as-of date after the last row
            ctx.as_of = d
            ctx.extraction_date = pd.Timestamp(d)
            # The register as it stood on as_of: no section can use a row received later.
            keep = df["received_date"] < pd.Timestamp(d) + pd.Timedelta(days=1)
            ctx.quality["rows_after_as_of"] = int((~keep).sum())
            if not keep.all():
                ctx.data = df.loc[keep]
        else:
            _require_covered(end, periods.year(ctx.year), as_of_hint=True)
    if kind == "quarterly":
        q = _int("quarter", quarter, "1, 2, 3 or 4")
        if q not in (1, 2, 3, 4):
            raise ReportParameterError(f"quarter must be 1, 2, 3 or 4, not {q}.")
        _require_covered(end, periods.quarter(ctx.year, q), as_of_hint=False)  # quarterly reports take no as_of
        ctx.quarter = q
    if kind == "hotspots":
        a = _int("start_year", start_year if _none(start_year) is not None else years[0], f"a year in {span}")
        # Default: the last year the data cover to its end (the last year in the data if none is).
        last = periods.last_covered(end, "year").start.year
        b = _int("end_year", end_year if _none(end_year) is not None else (last if last in years else years[-1]),
                 f"a year in {span}")
        if a not in years or b not in years:
            raise ReportParameterError(f"start_year and end_year must be years in the data ({span}), not {a}–{b}.")
        if b - a < 2:
            more = ("" if len(years) >= 3 else
                    f" The data cover {span} only: add the earlier years' registers (give each file with --data, "
                    "or a folder or glob pattern that holds them all).")
            raise ReportParameterError(
                f"a hotspot analysis needs at least three years (start_year to end_year), not {a}–{b}.{more}"
            )
        try:
            periods.require_covered(end, periods.year(b), as_of_hint=False)
        except periods.PeriodNotCovered as err:
            good = err.last_covered.start.year
            fix = (f"Give end_year {good} (--end-year {good}), the last year the data cover to its end, or add"
                   if good in years and good - a >= 2 else "Add")
            raise ReportParameterError(
                f"The data end on {err.data_end.date().isoformat()}, before the end of {b} ({b}-12-31): a hotspot "
                f"analysis to {b} would compare part of a year with whole ones. {fix} the rest of the {b} register."
            ) from None
        ctx.start_year, ctx.end_year = a, b
    return ctx


def _region_in(region: str, known: list[str], office: Office) -> str:
    """The data's name of ``region``, given as in the data, or by its English name or its
    slug (``Huyi District`` or ``huyi-qu`` for 鄠邑区)."""
    if region in known:
        return region
    aliases = {office.region_label(zh, "en").casefold(): zh for zh in known}
    slugs = _office.unique_slugs(known, fixed=office.fixed_slugs(known), reserved={office.slug})
    aliases.update({slug: zh for zh, slug in slugs.items()})
    if region.casefold() in aliases:
        return aliases[region.casefold()]
    hint = did_you_mean(region, [*known, *(office.region_label(zh, "en") for zh in known)])
    raise ReportParameterError(
        f"region {region!r} is not in the data{hint}; leave it empty for the whole city, or use one of: "
        f"{', '.join(known)} (or their English names or slugs, e.g. {office.region_label(known[0], 'en')!r} or "
        f"{slugs[known[0]]!r})."
    )


def previous_year_hint(path, year: int) -> str:
    """How to add the previous year's file: ``--data`` again (a folder or a glob holding
    both years works too), with a file name guessed from the given one.

    >>> previous_year_hint("exports/register_2019.xlsx", 2019)
    'give its file as well, e.g. `--data exports/register_2018.xlsx --data exports/register_2019.xlsx` (or a folder or glob pattern that holds both years; in Python, a list).'
    """
    paths = path if isinstance(path, (list, tuple)) else [path]
    shown = [_shown_path(p) for p in paths]
    given = next((p for p in shown if str(year) in Path(p).name), shown[-1] if shown else f"register_{year}.xlsx")
    name = Path(given).name
    guess = str(Path(given).with_name(name.replace(str(year), str(year - 1)))) if str(year) in name else \
        str(Path(given).with_name(f"register_{year - 1}{Path(given).suffix or '.xlsx'}"))
    data = " ".join(f"--data {p}" for p in [guess, *shown])
    return (f"give its file as well, e.g. `{data}` (or a folder or glob pattern that holds both years; "
            "in Python, a list).")


def _shown_path(path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    p = Path(str(path))
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _require_covered(end: pd.Timestamp, period: periods.Period, *, as_of_hint: bool = True) -> None:
    """:func:`periods.require_covered`, raising :class:`ReportParameterError`."""
    try:
        periods.require_covered(end, period, as_of_hint=as_of_hint)
    except periods.PeriodNotCovered as err:
        raise ReportParameterError(str(err)) from None
