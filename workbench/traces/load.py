"""A :class:`~workbench.trace_config.TraceConfig` checked and loaded, once per process and file.

>>> config = TraceConfig("data/samples/cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv", max_nodes=30)
>>> check_config(config)           # cheap: format, path, options, header (no rows read)
>>> traffic = load_traffic(config) # reads and bins the file once per process

Both are memoised on the config itself (a hashable value) and the file's identity (resolved path,
size, modification time), so the runs of a sweep on one trace read it once per worker, and a file
changed in place is read again; binnings of one file that differ only in their binning fields
(``flows_per_node``, ``step_seconds`` ...) share one read. The returned :class:`TraceTraffic` is shared between callers: it is
never modified after construction, so sharing it between runs is safe.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from workbench.trace_config import TraceConfig
from workbench.traces.csvio import ReadStats
from workbench.traces.readers import check_trace, read_flows
from workbench.traces.replay import TraceTraffic

FileStamp = tuple[str, int, int]


def file_stamp(path: str) -> FileStamp:
    """``(resolved path, size, modification time in ns)``; ``-1`` for a file that does not exist."""
    p = Path(path).expanduser().resolve()
    stat = p.stat() if p.is_file() else None
    return str(p), stat.st_size if stat else -1, stat.st_mtime_ns if stat else -1


def check_config(config: TraceConfig) -> None:
    """The file checks that need no row: path exists and is not empty, options, header columns."""
    _checked(config, file_stamp(config.path))


def load_traffic(config: TraceConfig) -> TraceTraffic:
    """The binned trace of ``config`` (:meth:`TraceTraffic.from_config`), read once per process."""
    return _loaded(config, file_stamp(config.path))


@lru_cache(maxsize=64)
def _checked(config: TraceConfig, stamp: FileStamp) -> None:
    check_trace(stamp[0] if stamp[1] >= 0 else config.path, config.format, **config.reader_options())


@lru_cache(maxsize=4)
def _loaded(config: TraceConfig, stamp: FileStamp) -> TraceTraffic:
    path = stamp[0] if stamp[1] >= 0 else config.path
    reader = json.dumps(config.reader_options(), sort_keys=True, default=str)
    table, stats = _read(path, config.format, reader, stamp)  # binnings of one file share one read
    return TraceTraffic.from_table(table, config, copy.deepcopy(stats))


@lru_cache(maxsize=2)
def _read(path: str, fmt: str, reader_options: str, stamp: FileStamp) -> tuple[pa.Table, ReadStats]:
    return read_flows(path, fmt, **json.loads(reader_options))
