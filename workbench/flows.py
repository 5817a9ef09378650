"""One step of flow records for all nodes, and the flow key: the shape both traffic sources produce.

The synthetic generator (:mod:`workbench.model.traffic`) and a replayed trace
(:mod:`workbench.traces.replay`) both hand the model a :class:`Flows` of arrays shaped
``(n_nodes, flows_per_node)``; signatures match flows by :func:`flow_key`. The definitions live
here, in a module that imports only numpy, so that neither the model nor the trace readers import
the other for them.

Units: IPv4 addresses as ``uint32``; ``log_bytes``, ``log_packets`` and ``log_duration`` are natural
logs of bytes, packets and milliseconds (a trace uses ``log(1 + x)``, its counters can be 0).
Labels: 0 benign, ``c + 1`` campaign ``c``, -1 padding of a replayed trace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: detector features per flow: log bytes, log packets, log duration, log bytes per packet
N_FEATURES = 4


def prefix_of(ip: np.ndarray) -> np.ndarray:
    """The /16 prefix of IPv4 addresses (``uint32 >> 16``)."""
    return (ip >> np.uint32(16)).astype(np.int64)


def flow_key(ip: np.ndarray, proto: np.ndarray) -> np.ndarray:
    """Key a flow by (source /16 prefix, protocol): ``prefix * 256 + protocol``; every signature
    rule matches one key."""
    return prefix_of(ip) * 256 + proto.astype(np.int64)


@dataclass
class Flows:
    """One step of traffic for all nodes; every array has shape ``(n_nodes, flows_per_node)``."""

    src_ip: np.ndarray
    dst_port: np.ndarray
    proto: np.ndarray
    log_bytes: np.ndarray
    log_packets: np.ndarray
    log_duration: np.ndarray
    label: np.ndarray

    @property
    def key(self) -> np.ndarray:
        return flow_key(self.src_ip, self.proto)

    def features(self) -> np.ndarray:
        """Detector input, shape ``(n_nodes, flows_per_node, N_FEATURES)``."""
        return np.stack(
            [self.log_bytes, self.log_packets, self.log_duration, self.log_bytes - self.log_packets], axis=-1
        )
