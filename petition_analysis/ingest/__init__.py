"""Ingest: raw exports → canonical rows, nothing lost, nothing personal.

:mod:`~petition_analysis.ingest.io` reads CSV (any Chinese encoding), Excel and Parquet;
:mod:`~petition_analysis.ingest.headers` finds and maps headers; :mod:`~petition_analysis.ingest.parse`
reads dates, counts and labels; :mod:`~petition_analysis.ingest.privacy` pseudonymizes
petitioners and masks free text; :mod:`~petition_analysis.ingest.derive` adds collective and
repeat flags; :mod:`~petition_analysis.ingest.cleaning` runs the steps (``pa.clean``) with a
reconciliation ``rows read = clean + rejected`` (:mod:`~petition_analysis.ingest.reasons`);
:mod:`~petition_analysis.ingest.dataset` does the same for national-scale data, chunk by chunk.
"""
