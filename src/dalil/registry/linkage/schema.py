"""The table the linkage engine reads: one row per list record, derived (cleaned) values only.

The registry store builds it from ``list_records`` (never from the raw rows); benchmarks and the
synthetic generator build it directly. Every column may be null except ``record_id`` and
``source_id``. Dates are ISO partial dates as text (``2013``, ``2013-04``, ``2013-04-16``); names
are as the list wrote them after whitespace clean-up (the engine derives its own keys).
"""

from __future__ import annotations

RECORD_COLUMNS: dict[str, str] = {
    "record_id": "the list record's id (unique)",
    "source_id": "the list (a Source) the record came from",
    "full_name": "the full name as written, when the list gave one",
    "given": "given (first) name, possibly compound (عبد الله)",
    "father": "father's name",
    "grandfather": "grandfather's name",
    "family": "family name",
    "mother": "mother's name",
    "sex": "vocabulary term (male, female) or null",
    "birth_date": "ISO partial date",
    "age": "age in whole years at the event (integer) or null",
    "status": "vocabulary term (killed, missing, detained, …) or null",
    "status_date": "ISO partial date of the status event (killed / last seen / arrested)",
    "death_date": "ISO partial date",
    "place": "place as written (text)",
    "governorate": "governorate as written (text)",
}
