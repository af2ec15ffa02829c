"""Reject reasons: why a raw row did not reach the clean table.

Every raw row ends up either in the clean table or in the rejects table with one of these
codes, so that ``rows read == clean + rejected`` always holds. The messy-export generator
uses the same codes for its expected outcome.

>>> REJECT_REASONS["duplicate"]
'an exact copy of an earlier row (the first copy is kept)'
"""

from __future__ import annotations

__all__ = ["REJECT_REASONS"]

#: Reason code → a readable message. Codes are part of the documented interface.
REJECT_REASONS: dict[str, str] = {
    "total_row": "a total row (合计/总计/小计), not an item",
    "blank_row": "an empty row",
    "notes_row": "a note below the table (说明/备注/注), not an item",
    "missing_date": "the received date is empty",
    "invalid_date": "the received date cannot be read as a date",
    "date_out_of_range": "the received date is impossible (before 1990) or in the future",
    "invalid_persons": "the number of persons is zero, negative, not a number or above 10,000 (parse.MAX_PERSONS)",
    "invalid_channel": "the channel is not a letter, visit, online or phone item, nor a known synonym",
    "invalid_level": "the receiving level is not county, city, province or national, nor a known synonym",
    "missing_region": "the region (问题属地) is empty",
    "invalid_region": "the region (问题属地) is formula text, not a label",
    "duplicate": "an exact copy of an earlier row (the first copy is kept)",
    "duplicate_case_id": "the case number (编号) is already used by a different row",
}
