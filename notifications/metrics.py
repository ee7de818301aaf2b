"""Delivery counters of the outbox (exposed at /metrics by config.metrics; backlog gauges are read there)."""

from prometheus_client import Counter, Gauge

DELIVERIES = Counter(
    "hoidap_notification_deliveries_total",
    "Delivery attempts by channel and outcome: sent, retry (temporary failure), failed (for good), skipped.",
    ["channel", "outcome"],
)
NOTIFICATION_SOCKETS = Gauge(
    "hoidap_notification_sockets",
    "Open notification WebSocket connections (signed-in users' pages).",
    multiprocess_mode="livesum",
)
