"""Patterns of personal data in free text: e-mail addresses, ID numbers (身份证号) and phone
numbers (电话). Used by :mod:`~petition_analysis.ingest.privacy` to mask free text and by
:mod:`~petition_analysis.schema` to check that a clean table holds none; it imports nothing
from the package, so the schema sits below the cleaning steps.

>>> import re
>>> bool(re.search(PII_PATTERNS["phone"].replace("(^|", "(").replace("|$)", ")"), "call 138 0013 8000 now"))
True
"""

from __future__ import annotations

__all__ = ["PII_PATTERNS"]

# RE2 syntax (pyarrow): no look-behind, so digit boundaries are captured and put back.
# The order matters: 18-digit IDs before 15-digit IDs before phone numbers. Digits may be
# full-width (free text is not NFKC-folded) and grouped by single spaces or hyphens, as
# people write them: 138 0013 8000, 138-0013-8000, 110105 19491231 002X.
_D = "[0-9０-９]"
_SEP = "[ -]?"
PII_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "id_number": rf"(^|[^0-9０-９])({_D}{{6}}{_SEP}{_D}{{8}}{_SEP}{_D}{{3}}[0-9０-９XxＸｘ]|{_D}{{15}})([^0-9０-９XxＸｘ]|$)",
    "phone": rf"(^|[^0-9０-９])([1１][3-9３-９]{_D}(?:{_SEP}{_D}){{8}}|[0０]{_D}{{2,3}}{_SEP}{_D}{{7,8}})([^0-9０-９]|$)",
}
#: Free text that may hold one of the numbers above: 7 digits, single separators allowed.
_MAYBE_NUMBER = rf"{_D}(?:{_SEP}{_D}){{6}}"

