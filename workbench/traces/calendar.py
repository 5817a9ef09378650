"""The capture days of the public datasets, to flag a file whose times disagree with its format.

A CIC-IDS2017 file read as ``cic-ids2018`` (or the reverse), a CIC day read with the wrong date
order (month/day instead of day/month), or a re-exported file with shifted clocks all parse without
error; their timestamps then fall outside the dataset's published capture days, and the readers add
a note to the trace report saying so (the rows are kept).

Capture days (UTC dates of the timestamps as written):

* CIC-IDS2017: Monday 3 July to Friday 7 July 2017 (Sharafaldin et al., ICISSP 2018; the improved
  re-extraction writes UTC, three hours ahead of the local clock, still on the same dates);
* CSE-CIC-IDS2018: 14, 15, 16, 20, 21, 22, 23, 28 February and 1, 2 March 2018 (the published day files);
* UNSW-NB15: 22 January 2015 (15 hours) and 17 February 2015 (16 hours), epoch seconds, so the UTC
  dates 22-23 January and 17-18 February (Moustafa and Slay, MilCIS 2015).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.traces.csvio import ReadStats


@dataclass(frozen=True)
class Calendar:
    dataset: str
    days: tuple[date, ...]

    def describe(self) -> str:
        first, last = min(self.days), max(self.days)
        return f"{self.dataset}'s capture days ({len(self.days)} days from {first} to {last})"


def _days(*iso: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(d) for d in iso)


CALENDARS = {
    "cic-ids2017": Calendar("CIC-IDS2017", _days("2017-07-03", "2017-07-04", "2017-07-05", "2017-07-06", "2017-07-07")),
    "cic-ids2018": Calendar(
        "CSE-CIC-IDS2018",
        _days(
            "2018-02-14",
            "2018-02-15",
            "2018-02-16",
            "2018-02-20",
            "2018-02-21",
            "2018-02-22",
            "2018-02-23",
            "2018-02-28",
            "2018-03-01",
            "2018-03-02",
        ),
    ),
    "unsw-nb15": Calendar("UNSW-NB15", _days("2015-01-22", "2015-01-23", "2015-02-17", "2015-02-18")),
}

_EPOCH_DAY_NS = 86_400 * 10**9


def _day_numbers(days: tuple[date, ...]) -> np.ndarray:
    return np.array([(d - date(1970, 1, 1)).days for d in days], dtype=np.int64)


@dataclass
class CalendarCheck:
    """Counts the timestamps outside a format's capture days while a file is read; :meth:`finish`
    adds a note to the reader's stats when any are."""

    fmt: str
    n: int = 0
    outside: int = 0
    other: dict[str, int] = field(default_factory=dict)  # other calendars the outside timestamps fit
    first: int | None = None

    def update(self, timestamps: pa.Array) -> None:
        if self.fmt not in CALENDARS:
            return
        ns = pc.cast(timestamps, pa.int64()).drop_null().to_numpy(zero_copy_only=False)
        if ns.size == 0:
            return
        day = ns // _EPOCH_DAY_NS
        inside = np.isin(day, _day_numbers(CALENDARS[self.fmt].days))
        self.n += ns.size
        self.outside += int((~inside).sum())
        if (~inside).any():
            if self.first is None:
                self.first = int(ns[~inside][0])
            for name, cal in CALENDARS.items():
                if name != self.fmt:
                    self.other[name] = self.other.get(name, 0) + int(
                        np.isin(day[~inside], _day_numbers(cal.days)).sum()
                    )

    def finish(self, stats: ReadStats, hint: str = "") -> None:
        if not self.outside:
            return
        cal = CALENDARS[self.fmt]
        first = np.datetime64(self.first, "ns").astype("datetime64[s]") if self.first is not None else "?"
        text = f"calendar: {self.outside:,} of {self.n:,} timestamps fall outside {cal.describe()} (the first: {first})"
        fits = [name for name, k in self.other.items() if k == self.outside]
        if fits:
            text += f"; they all fall on {CALENDARS[fits[0]].dataset}'s capture days: is trace_format={fits[0]!r}?"
        elif hint:
            text += f"; {hint}"
        stats.note(text)
