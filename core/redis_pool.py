"""Redis connections for every part of the project, plain or through Sentinel (docs/operations.md).

One Redis connection pool per process for Django's cache (CACHES OPTIONS pool_class):
Django keeps a cache backend object per request context under ASGI (caches is a
context-local), and each RedisCache object opens its own connection pool, so every
request that touched the cache (rate limits, the archive cache) opened a new TCP
connection to Redis and left it to the garbage collector. With this pool class all
those backend objects share one pool per server and options, and connections are
reused across requests. redis-py pools are thread-safe and reset themselves in a
forked child.

Sentinel: every Redis setting (REDIS_URL, REDIS_CACHE_URL, REDIS_CHANNELS_URL,
DIALOGUES_HUB_REDIS_URL, CELERY_BROKER_URL) also accepts
`redis+sentinel://[:password@]host:port,host:port/<master name>/<db>` (settings build
one from REDIS_SENTINELS and REDIS_SENTINEL_MASTER). Each consumer gets what its
library needs from it: a SentinelConnectionPool for the cache, a sentinel host entry
for channels-redis, kombu's `sentinel://` URL and master_name for Celery, and
master_for() clients for the live hub and the health check. Connections ask the
sentinels for the current master on every (re)connect, so a failover costs one
failed call and a reconnect; a connection to a demoted master is dropped on its
first READONLY answer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import redis
import redis.sentinel
from redis.backoff import NoBackoff
from redis.retry import Retry

SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    password: str | None = None

    def hosts_text(self) -> str:
        return ", ".join(f"{host}:{port}" for host, port in self.sentinels)


def sentinel_url(sentinels: list[str], master: str, db: int = 0, password: str = "") -> str:
    """The URL form of a Sentinel configuration (REDIS_SENTINELS entries are host:port)."""
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"{SENTINEL_SCHEME}://{auth}{','.join(s.strip() for s in sentinels)}/{quote(master, safe='')}/{db}"


def parse_sentinel(url: str) -> SentinelTarget | None:
    """The Sentinel target of a redis+sentinel:// URL; None for any other URL. ValueError when it is malformed."""
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return None
    rest = url[len(SENTINEL_SCHEME) + 3 :]
    password = None
    if "@" in rest:
        auth, rest = rest.rsplit("@", 1)
        password = unquote(auth.split(":", 1)[-1]) or None
    hosts, _, path = rest.partition("/")
    parts = [p for p in path.split("/") if p]
    if not parts:
        raise ValueError("a Sentinel URL needs the master's name: redis+sentinel://host:port,host:port/<master>/<db>")
    sentinels = []
    for entry in hosts.split(","):
        host, _, port = entry.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a sentinel is host:port, not {entry!r}")
        sentinels.append((host.strip("[]"), int(port)))
    db = int(parts[1]) if len(parts) > 1 else 0
    return SentinelTarget(tuple(sentinels), unquote(parts[0]), db, password)


def _sentinel_kwargs(kwargs: dict) -> dict:
    """Timeouts for talking to the sentinels themselves: short, so a dead sentinel is skipped quickly."""
    connect = min(kwargs.get("socket_connect_timeout") or 1.0, 1.0)
    return {"socket_connect_timeout": connect, "socket_timeout": min(kwargs.get("socket_timeout") or 1.0, 1.0)}


def sync_client(url: str, **kwargs: Any) -> redis.Redis:
    """A redis.Redis for a plain or Sentinel URL (kwargs: connection options such as timeouts and retry)."""
    target = parse_sentinel(url)
    if target is None:
        return redis.Redis.from_url(url, **kwargs)
    from redis.sentinel import Sentinel

    manager = Sentinel(list(target.sentinels), sentinel_kwargs=_sentinel_kwargs(kwargs))
    return manager.master_for(target.master, db=target.db, password=target.password, **kwargs)


def async_client(url: str, **kwargs: Any) -> Any:
    """A redis.asyncio.Redis for a plain or Sentinel URL."""
    import redis.asyncio
    import redis.asyncio.sentinel

    target = parse_sentinel(url)
    if target is None:
        return redis.asyncio.Redis.from_url(url, **kwargs)
    manager = redis.asyncio.sentinel.Sentinel(list(target.sentinels), sentinel_kwargs=_sentinel_kwargs(kwargs))
    return manager.master_for(target.master, db=target.db, password=target.password, **kwargs)


class SharedConnectionPool(redis.ConnectionPool):
    """redis.ConnectionPool whose from_url returns the process's pool for the same URL and options.

    For a redis+sentinel:// URL the pool is a SentinelConnectionPool (the master, found through the sentinels).
    """

    _shared: dict = {}
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:  # the shared pool, or a SentinelConnectionPool
        key = (cls, url, repr(sorted(kwargs.items())))
        with cls._shared_lock:
            pool = cls._shared.get(key)
            if pool is None:
                target = parse_sentinel(url)
                if target is None:
                    pool = super().from_url(url, **kwargs)
                else:
                    from redis.sentinel import Sentinel, SentinelConnectionPool

                    manager = Sentinel(list(target.sentinels), sentinel_kwargs=_sentinel_kwargs(kwargs))
                    pool = SentinelConnectionPool(
                        target.master, manager, db=target.db, password=target.password, **kwargs
                    )
                cls._shared[key] = pool
            return pool


_pool_clients_lock = threading.Lock()


def client_for_pool(pool: Any, client_class: type[redis.Redis] = redis.Redis) -> redis.Redis:
    """The one client around this pool (a client is thread-safe: each command takes a pooled connection).

    Django's cache builds a new redis.Redis around its pool for every call: redis-py 7 sets up its
    response callbacks each time, about 0.1 ms, as much as the GET itself (measured here). The client is
    kept on the pool, so it lives and goes with it (a pool that is not shared ends with its backend).
    """
    client = getattr(pool, "_shared_client", None)
    if type(client) is not client_class:
        with _pool_clients_lock:
            client = getattr(pool, "_shared_client", None)
            if type(client) is not client_class:
                client = client_class(connection_pool=pool)
                pool._shared_client = client
    return client


def channel_layer_host(url: str) -> dict:
    """A channels-redis host entry that fails fast while Redis is down.

    redis-py's default retry policy backs off for about 9 s before giving up, and
    on-commit pushes (an unread count, a group message) would hold the request that
    long. One immediate retry and a short connect timeout instead; no socket
    timeout (channels-redis blocks on reads by design: the redis-py 8 pitfall).
    """
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    options = {"retry": Retry(NoBackoff(), 1), "socket_connect_timeout": 1}
    target = parse_sentinel(url)
    if target is None:
        return {"address": url, **options}
    host = {
        "sentinels": list(target.sentinels),
        "master_name": target.master,
        "db": target.db,
        "sentinel_kwargs": {"socket_connect_timeout": 1, "socket_timeout": 1},
        **options,
    }
    if target.password:
        host["password"] = target.password
    return host


def celery_broker(url: str, default_master: str = "") -> tuple[str, dict]:
    """(broker URL, extra transport options) for Celery: kombu's own `sentinel://` form and master_name.

    A URL already in kombu's form (`sentinel://h:p;sentinel://h:p/db`) keeps it, with `default_master`.
    """
    sentinel_kwargs = {"socket_connect_timeout": 1, "socket_timeout": 1}
    target = parse_sentinel(url)
    if target is None:
        if url.startswith("sentinel://") and default_master:
            return url, {"master_name": default_master, "sentinel_kwargs": sentinel_kwargs}
        return url, {}
    auth = f":{quote(target.password, safe='')}@" if target.password else ""
    broker = ";".join(f"sentinel://{auth}{host}:{port}/{target.db}" for host, port in target.sentinels)
    return broker, {"master_name": target.master, "sentinel_kwargs": sentinel_kwargs}


def describe(url: str) -> str:
    """Where a URL points, without its password (for logs and /readyz)."""
    target = parse_sentinel(url)
    if target is not None:
        return f"master {target.master!r} through sentinels {target.hosts_text()}"
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


def check_sentinels(url: str, timeout: float) -> str:
    """For /readyz: the master as the sentinels name it, or a clear reason why none can (SentinelProblem)."""
    target = parse_sentinel(url)
    if target is None:
        raise ValueError("not a redis+sentinel:// URL")
    unreachable, not_sentinels, unaware, masters = [], [], [], []
    for host, port in target.sentinels:
        name = f"{host}:{port}"
        client = redis.Redis(
            host=host, port=port, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        try:
            answer = client.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", target.master)
        except (redis.ConnectionError, redis.TimeoutError):
            unreachable.append(name)
            continue
        except redis.ResponseError:
            not_sentinels.append(name)
            continue
        finally:
            client.close()
        if answer:
            masters.append(f"{answer[0].decode() if isinstance(answer[0], bytes) else answer[0]}:{int(answer[1])}")
        else:
            unaware.append(name)
    if masters:
        return f"master {max(set(masters), key=masters.count)} ({len(masters)}/{len(target.sentinels)} sentinels agree)"
    if not_sentinels:
        raise SentinelProblem(f"not a sentinel (a plain Redis?): {', '.join(not_sentinels)}")
    if unaware:
        raise SentinelProblem(f"the sentinels ({', '.join(unaware)}) know no master named {target.master!r}")
    raise SentinelProblem(f"no reachable sentinel among {', '.join(unreachable)}")


class SentinelProblem(Exception):
    """The Sentinel configuration cannot give a master (the message is safe to show)."""
