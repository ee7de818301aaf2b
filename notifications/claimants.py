"""Who holds a delivery claim, and whether that process is certainly gone.

A claim records the claiming process as `host/boot/ns/pid/start`: the host name,
the first characters of the kernel's boot id, the PID namespace, the process id
and the process's start time in clock ticks since boot (from /proc). A later
process on the same host and in the same PID namespace can then tell a dead
claimant from a live one without asking it:

- another boot id: the host rebooted since, the claimant is gone;
- no /proc entry for the pid: the claimant is gone;
- an entry whose start time differs: the pid was reused by a newer process, the
  claimant is gone.

Only "certainly gone" releases a claim early: a claimant on another host or in
another PID namespace (another container with the same host name sees other
processes under the same numbers), a live claimant, or a host without /proc is
left to the claim timeout
(NOTIFICATIONS_CLAIM_TIMEOUT). A dead process can no longer finish its send, so
giving its row to another worker cannot send the message twice (beyond the one
window docs/notifications.md describes: killed after the SMTP server accepted).
"""

import os
import socket
from functools import cache
from pathlib import Path

PROC = Path("/proc")


@cache
def _host() -> str:
    return socket.gethostname()[:100].replace("/", "_")


@cache
def _boot_id() -> str:
    try:
        return (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()[:8]
    except OSError:
        return ""


@cache
def _pid_namespace() -> str:
    try:
        link = os.readlink(PROC / "self" / "ns" / "pid")  # "pid:[4026531836]"
    except OSError:
        return ""
    return "".join(ch for ch in link if ch.isdigit())


def _start_ticks(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/<pid>/stat), or None when it is gone (or a zombie)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: count from the last ")".
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


_identity: tuple[int, str] | None = None


def current() -> str:
    """This process's claimant name (recomputed after a fork: prefork children are processes of their own)."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{_host()}/{_boot_id()}/{_pid_namespace()}/{pid}/{_start_ticks(pid) or ''}")
    return _identity[1]


def host_prefix() -> str:
    """Claimants of this host start with this."""
    return f"{_host()}/"


def is_dead(claimant: str) -> bool:
    """True only when `claimant` ran on this host and that process certainly no longer runs."""
    parts = claimant.split("/")
    if len(parts) != 5:
        return False
    host, boot, namespace, pid_text, start = parts
    if host != _host() or not pid_text.isdigit() or not start or not PROC.is_dir():
        return False
    if boot and _boot_id() and boot != _boot_id():
        return True  # the host rebooted: every process of the old boot is gone
    if not namespace or namespace != _pid_namespace():
        return False  # the same number names another process there: cannot tell
    return _start_ticks(int(pid_text)) != start
