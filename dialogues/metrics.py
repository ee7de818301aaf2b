"""Live metrics (exposed at /metrics by config.metrics): open sockets, events published and fanned out.

Updated once per socket connect/disconnect and once per event or send pass of
the hub, never inside the per-socket loop: a pass to thousands of sockets adds
one counter increment, not thousands.
"""

from prometheus_client import Counter, Gauge

LIVE_SOCKETS = Gauge(
    "hoidap_live_sockets",
    "Open live dialogue WebSocket connections (watchers, moderators, panelists).",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "hoidap_live_events_published_total",
    "Session events published (one Redis PUBLISH each), by scope (public, moderators).",
    ["scope"],
)
EVENTS_FANNED_OUT = Counter(
    "hoidap_live_events_fanned_out_total",
    "Session events this process delivered to its local sockets (once per event, whatever the number of sockets).",
)
FRAMES_SENT = Counter(
    "hoidap_live_frames_sent_total",
    "WebSocket frames the hub wrote to local sockets (added once per send pass).",
)
