"""The one flow schema every trace reader produces, and the vectorised pieces that build it.

Schema (:data:`FLOW_SCHEMA`, one row per flow record):

============== ============================ ==========================================================
column         Arrow type (pandas dtype)    meaning
============== ============================ ==========================================================
timestamp      timestamp[ns, UTC]           flow start; null when the format has none (ML CSVs,
               (datetime64[ns, UTC])        UNSW train/test). Naive wall-clock times in a file are
                                            kept as written and labelled UTC (only differences matter).
src_addr       string (object)              source address as text, IPv4 dotted quad or IPv6; null
                                            when the format has no addresses
dst_addr       string (object)              destination address, likewise
dst_port       int32 (int32)                destination port, 0..65535; -1 when unknown
protocol       int16 (int16)                IANA protocol number; 255 (IANA "reserved") when unknown
bytes          int64 (int64)                bytes of both directions, >= 0
packets        int64 (int64)                packets of both directions, >= 0
duration_s     float64 (float64)            flow duration in seconds, >= 0
label          string (object)              ``"benign"`` for benign flows (``BENIGN``, ``Normal``...),
                                            else the attack label as written (stripped);
                                            ``"unlabelled"`` when the file carries no labels
attack_category string (object)             the attack category, null for benign/unlabelled flows
is_attack      bool (bool)                  ground truth: the flow belongs to an attack
============== ============================ ==========================================================

Addresses stay text so that IPv6 and odd values survive reading; :func:`ipv4_to_uint32` turns
them into the model's ``uint32`` once, on the distinct values only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FLOW_SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("ns", tz="UTC")),
        ("src_addr", pa.string()),
        ("dst_addr", pa.string()),
        ("dst_port", pa.int32()),
        ("protocol", pa.int16()),
        ("bytes", pa.int64()),
        ("packets", pa.int64()),
        ("duration_s", pa.float64()),
        ("label", pa.string()),
        ("attack_category", pa.string()),
        ("is_attack", pa.bool_()),
    ]
)
SCHEMA_COLUMNS = tuple(FLOW_SCHEMA.names)
UNKNOWN_PORT = -1
UNKNOWN_PROTOCOL = 255
BENIGN = "benign"
UNLABELLED = "unlabelled"
#: Label values (compared case-insensitively, stripped) that mean benign traffic.
BENIGN_LABELS = ("benign", "normal", "background")

#: IANA numbers of the protocol names found in UNSW-NB15 and Zeek files (lower case).
PROTOCOL_NUMBERS = {
    "hopopt": 0,
    "icmp": 1,
    "igmp": 2,
    "ggp": 3,
    "ipnip": 4,
    "ip": 4,
    "st2": 5,
    "tcp": 6,
    "cbt": 7,
    "egp": 8,
    "igp": 9,
    "bbn-rcc": 10,
    "nvp": 11,
    "pup": 12,
    "argus": 13,
    "emcon": 14,
    "xnet": 15,
    "chaos": 16,
    "udp": 17,
    "mux": 18,
    "dcn": 19,
    "hmp": 20,
    "prm": 21,
    "xns-idp": 22,
    "trunk-1": 23,
    "trunk-2": 24,
    "leaf-1": 25,
    "leaf-2": 26,
    "rdp": 27,
    "irtp": 28,
    "iso-tp4": 29,
    "netblt": 30,
    "mfe-nsp": 31,
    "merit-inp": 32,
    "dccp": 33,
    "3pc": 34,
    "idpr": 35,
    "xtp": 36,
    "ddp": 37,
    "idpr-cmtp": 38,
    "tp++": 39,
    "il": 40,
    "ipv6": 41,
    "sdrp": 42,
    "ipv6-route": 43,
    "ipv6-frag": 44,
    "idrp": 45,
    "rsvp": 46,
    "gre": 47,
    "dsr": 48,
    "bna": 49,
    "esp": 50,
    "ah": 51,
    "i-nlsp": 52,
    "swipe": 53,
    "narp": 54,
    "mobile": 55,
    "tlsp": 56,
    "skip": 57,
    "icmpv6": 58,
    "ipv6-icmp": 58,
    "ipv6-no": 59,
    "ipv6-opts": 60,
    "cftp": 62,
    "sat-expak": 64,
    "kryptolan": 65,
    "rvd": 66,
    "ippc": 67,
    "sat-mon": 69,
    "visa": 70,
    "ipcv": 71,
    "cpnx": 72,
    "cphb": 73,
    "wsn": 74,
    "pvp": 75,
    "br-sat-mon": 76,
    "sun-nd": 77,
    "wb-mon": 78,
    "wb-expak": 79,
    "iso-ip": 80,
    "vmtp": 81,
    "secure-vmtp": 82,
    "vines": 83,
    "ttp": 84,
    "iptm": 84,
    "nsfnet-igp": 85,
    "dgp": 86,
    "tcf": 87,
    "eigrp": 88,
    "ospf": 89,
    "sprite-rpc": 90,
    "larp": 91,
    "mtp": 92,
    "ax.25": 93,
    "ipip": 94,
    "micp": 95,
    "scc-sp": 96,
    "etherip": 97,
    "encap": 98,
    "gmtp": 100,
    "ifmp": 101,
    "pnni": 102,
    "pim": 103,
    "aris": 104,
    "scps": 105,
    "qnx": 106,
    "a/n": 107,
    "ipcomp": 108,
    "snp": 109,
    "compaq-peer": 110,
    "ipx-n-ip": 111,
    "vrrp": 112,
    "pgm": 113,
    "l2tp": 115,
    "ddx": 116,
    "iatp": 117,
    "stp": 118,
    "srp": 119,
    "uti": 120,
    "smp": 121,
    "sm": 122,
    "ptp": 123,
    "isis": 124,
    "fire": 125,
    "crtp": 126,
    "crudp": 127,
    "sscopmce": 128,
    "iplt": 129,
    "sps": 130,
    "pipe": 131,
    "sctp": 132,
    "fc": 133,
    "udplite": 136,
    "mpls-in-ip": 137,
    "manet": 138,
    "hip": 139,
    "shim6": 140,
    "wesp": 141,
    "rohc": 142,
}


def empty_table() -> pa.Table:
    """A table of the flow schema with no rows."""
    return FLOW_SCHEMA.empty_table()


def protocol_numbers(names: pa.Array | pa.ChunkedArray, unknown: Counter | None = None) -> pa.Array:
    """IANA numbers (int16) of protocol names (``tcp``, ``UDP``...); unknown or null -> 255.

    ``unknown`` (a ``Counter``) is updated with the rows of each name that is not an IANA protocol
    name (UNSW-NB15's ``unas``, ``any``, Argus' ``arp``, ``llc`` ...): those rows keep protocol 255.
    Works on the distinct names only (dictionary encoding), so the cost per flow is one gather.
    """
    encoded = pc.dictionary_encode(pc.utf8_lower(pc.utf8_trim_whitespace(names)))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    dictionary = encoded.dictionary.to_pylist()
    numbers = np.array(
        [PROTOCOL_NUMBERS.get(n, UNKNOWN_PROTOCOL) for n in dictionary] + [UNKNOWN_PROTOCOL], dtype=np.int16
    )
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    idx = np.where(pc.is_null(encoded.indices).to_numpy(zero_copy_only=False), len(numbers) - 1, idx)
    idx = idx.astype(np.int64)
    if unknown is not None:
        missing = [i for i, n in enumerate(dictionary) if n not in PROTOCOL_NUMBERS and n != ""]
        if missing:
            counts = np.bincount(idx, minlength=len(numbers))
            unknown.update({dictionary[i]: int(counts[i]) for i in missing if counts[i]})
    return pa.array(numbers[idx], pa.int16())


def _decode(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # CIC-IDS2017 writes "Web Attack \x96 Brute Force" in cp1252
        return raw.decode("cp1252", errors="replace")


LabelRule = Callable[[str], tuple[str, str | None, bool]]


def labels_by_value(raw: pa.Array | pa.ChunkedArray, rule: LabelRule) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``(label, attack_category, is_attack)`` of raw label text (string or binary, any encoding) by
    ``rule``, a function of one stripped label (``""`` for null) to ``(label, category, is_attack)``.
    The rule runs once per distinct label; the results are gathered."""
    encoded = pc.dictionary_encode(raw)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = encoded.dictionary.to_pylist()
    if pa.types.is_binary(encoded.dictionary.type) or pa.types.is_large_binary(encoded.dictionary.type):
        values = [_decode(v) for v in values]
    ruled = [rule((value or "").strip()) for value in [*values, None]]  # the extra entry stands for nulls
    idx = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False).astype(np.int64)
    labels, categories, attacks = zip(*ruled, strict=True)
    return (
        pa.array(np.array(labels, dtype=object)[idx], pa.string()),
        pa.array(np.array(categories, dtype=object)[idx], pa.string()),
        pa.array(np.array(attacks, dtype=bool)[idx], pa.bool_()),
    )


def normalise_labels(
    raw: pa.Array | pa.ChunkedArray,
    *,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
    category_map: dict[str, str] | None = None,
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``(label, attack_category, is_attack)`` from raw label text (string or binary, any encoding).

    A label is benign when its stripped, lower-cased text is one of ``benign_labels``; an empty or
    null label counts as benign too (UNSW writes nothing in ``attack_cat`` for normal rows).
    ``category_map`` renames categories after stripping (e.g. UNSW's ``Backdoors`` -> ``Backdoor``).
    """
    benign = {b.lower() for b in benign_labels}
    renamed = category_map or {}

    def rule(text: str) -> tuple[str, str | None, bool]:
        if not text or text.lower() in benign:
            return BENIGN, None, False
        category = renamed.get(text, text)
        return category, category, True

    return labels_by_value(raw, rule)


def ipv4_to_uint32(addresses: pa.Array | pa.ChunkedArray | pd.Series | np.ndarray) -> np.ndarray:
    """Addresses as the model's ``uint32``: IPv4 exactly; anything else by a documented fallback.

    * IPv4 dotted quads -> their 32-bit value.
    * IPv6 (or any other non-null text) -> a pseudo address in the reserved 240.0.0.0/4 block whose
      low 28 bits hash the whole text (pandas' stable hash): each IPv6 address gets its own
      pseudo /16, so signatures key IPv6 sources per address rather than per prefix.
    * null -> 0 (0.0.0.0: "no address"; every such flow of a protocol shares one flow key).

    Parses the distinct values only (dictionary encoding), then gathers.
    """
    arr = pa.array(addresses, pa.string()) if not isinstance(addresses, (pa.Array, pa.ChunkedArray)) else addresses
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    uniques = encoded.dictionary
    values = np.zeros(len(uniques) + 1, dtype=np.uint32)  # last entry: null
    if len(uniques):
        dotted_quad = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"
        is_v4 = pc.match_substring_regex(uniques, dotted_quad).to_numpy(zero_copy_only=False)
        v4 = uniques.filter(pa.array(is_v4))
        octets = pc.cast(pc.list_flatten(pc.split_pattern(v4, ".")), pa.int64()).to_numpy().reshape(-1, 4)
        ok = (octets <= 255).all(axis=1)
        packed = (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]
        v4_idx = np.flatnonzero(is_v4)
        values[v4_idx[ok]] = packed[ok].astype(np.uint32)
        other = np.setdiff1d(np.arange(len(uniques)), v4_idx[ok])
        if other.size:
            texts = np.asarray(uniques.take(pa.array(other)).to_pylist(), dtype=object)
            hashed = pd.util.hash_array(texts, categorize=False) & np.uint64((1 << 28) - 1)
            values[other] = (np.uint64(0xF0000000) | hashed).astype(np.uint32)
    idx = encoded.indices.fill_null(len(uniques)).to_numpy(zero_copy_only=False).astype(np.int64)
    return values[idx]


def uint32_to_ipv4(values: np.ndarray) -> list[str]:
    """Dotted quads of ``uint32`` addresses (for display)."""
    v = np.asarray(values, dtype=np.uint64)
    return [f"{a}.{b}.{c}.{d}" for a, b, c, d in zip(v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255, strict=True)]


def flow_batch(
    n: int,
    *,
    timestamp: pa.Array | None,
    src_addr: pa.Array | None,
    dst_addr: pa.Array | None,
    dst_port: np.ndarray | None,
    protocol: np.ndarray | pa.Array | None,
    bytes_: np.ndarray,
    packets: np.ndarray,
    duration_s: np.ndarray,
    label: pa.Array,
    attack_category: pa.Array,
    is_attack: pa.Array,
) -> pa.RecordBatch:
    """A record batch of :data:`FLOW_SCHEMA`; ``None`` columns are the format's "unknown" values.

    Counts and durations are clipped at 0 (CICFlowMeter writes a few negative durations).
    """

    def _str(a: pa.Array | None) -> pa.Array:
        return pa.nulls(n, pa.string()) if a is None else a.cast(pa.string())

    port = np.full(n, UNKNOWN_PORT, np.int32) if dst_port is None else np.asarray(dst_port).astype(np.int32)
    if protocol is None:
        proto = pa.array(np.full(n, UNKNOWN_PROTOCOL, np.int16))
    else:
        proto = protocol if isinstance(protocol, pa.Array) else pa.array(np.asarray(protocol).astype(np.int16))
    columns = [
        pa.nulls(n, FLOW_SCHEMA.field("timestamp").type) if timestamp is None else timestamp,
        _str(src_addr),
        _str(dst_addr),
        pa.array(port),
        proto.cast(pa.int16()),
        pa.array(np.maximum(np.rint(bytes_), 0).astype(np.int64)),
        pa.array(np.maximum(np.rint(packets), 0).astype(np.int64)),
        pa.array(np.maximum(np.asarray(duration_s, np.float64), 0.0)),
        label,
        attack_category,
        is_attack,
    ]
    return pa.RecordBatch.from_arrays(columns, schema=FLOW_SCHEMA)
