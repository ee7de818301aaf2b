"""A short-lived cache of anonymous archive responses, invalidated at once when the archive changes.

A spike of visitors on the archive (a question shared on social media, the list
API polled by other sites) would otherwise run the same queries, templates and
serializers for every request; a hit here costs one cache round trip.

Correctness rules:

- Only anonymous GET requests are served from or stored in the cache: a request
  with a session cookie (logged-in users, staff, or visitors with pending
  messages), a "messages" cookie or an Authorization header always gets a fresh
  response, and what it renders is never stored.
- Keys hold the absolute URL (scheme, host, path, query) and the active
  language (and, for the API, the Accept header, which picks the renderer); an
  entry holds the archive *generation* it was rendered under and is used only
  while that is still the current one (both are read in one round trip).
  Publishing, unpublishing and editing the public version of a published
  question call `archive_changed()`, which bumps the generation after
  the transaction commits, so no visitor sees an unpublished question again and a
  new question shows on the next request, not after a timeout.
- What may lag by up to ARCHIVE_CACHE_SECONDS: view counts and "was this
  helpful?" tallies (bumping the generation on every vote or view would empty the
  cache during exactly the spikes it is for), and the names of agencies and topics
  edited in the admin.
- Only 200 responses without cookies are stored. Web pages carry CSRF tokens (the
  language switch in the header, the vote form on a question): the token is
  replaced by a placeholder when the page is stored and by a token of the
  visitor's own on each hit (Django sets the CSRF cookie as usual), so no visitor
  ever receives another visitor's token. A page that used the token anywhere else
  is not stored.
"""

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

# How long a stored page lives when settings.QA_ARCHIVE_CACHE_SECONDS is unset (0 turns the cache off).
ARCHIVE_CACHE_SECONDS = 30
GENERATION_KEY = "qa:archive:generation"
_PREFIX = "qa:archive:page"
# Not a character sequence a template or a token can produce (tokens are [A-Za-z0-9]).
CSRF_PLACEHOLDER = b"@@csrf-token@@"
_CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)(")')
# Headers the view itself set that a hit repeats; middleware adds its own (Vary, Content-Language, ...) again.
_KEPT_HEADERS = ("Content-Type", "Vary", "Allow", "Link", "X-Robots-Tag", "Referrer-Policy")


class _ProcessCache:
    """The default cache backend, one instance per process.

    `django.core.cache.cache` is context-local: under ASGI every request builds a
    new backend object, and without a shared pool (core.redis_pool) the Redis
    backend opened a connection per request (measured: a hit took 1.2 ms at the
    server against 0.1 ms for a hello-world view; 0.35 ms with this). One shared,
    thread-safe backend keeps its connections whatever the settings.
    """

    _backend = None

    def __getattr__(self, name: str):
        if _ProcessCache._backend is None:
            _ProcessCache._backend = caches.create_connection(DEFAULT_CACHE_ALIAS)
        return getattr(_ProcessCache._backend, name)


cache = _ProcessCache()


def _fresh_generation() -> int:
    # Microseconds since the epoch: a generation created after an eviction never repeats an earlier one.
    return time.time_ns() // 1000


def archive_generation() -> int | None:
    """The current generation (created on first use); None when the cache does not answer."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation() -> None:
    """Make every stored page stale (after a change, and when Redis returns from an outage: config.cache).

    Without Redis both calls are skipped (config.cache answers "missing"): nothing is served from the
    cache then anyway, and the recovery bump covers the invalidations the outage swallowed.
    """
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never created, or evicted: a new, larger generation
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)


_bump = bump_generation


def archive_changed() -> None:
    """Call inside the transaction that changes what the archive shows: the cache is invalidated after commit.

    After commit, so a request that sees the new generation also sees the new rows
    (a request that started earlier stores its page with the old generation,
    which no reader accepts any more).
    """
    transaction.on_commit(bump_generation)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    if request.META.get("HTTP_AUTHORIZATION"):
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _key(request: HttpRequest, *, vary_on_accept: bool) -> str:
    parts = [request.build_absolute_uri(), translation.get_language() or ""]
    if vary_on_accept:
        parts.append(request.META.get("HTTP_ACCEPT", ""))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f"{_PREFIX}:{digest}"


def _entry(request: HttpRequest, response: HttpResponse, generation: int, *, json_only: bool) -> dict | None:
    """What a hit needs to rebuild the response, or None when the response must not be stored."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get("Cache-Control", ""):
        return None
    if json_only and not response.get("Content-Type", "").startswith("application/json"):
        return None
    content = response.content
    csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if csrf:
        tokens = {match.group(2) for match in _CSRF_INPUT.finditer(content)}
        if len(tokens) != 1:
            return None
        (token,) = tokens
        content = _CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\3", content)
        if token in content:  # the token shows somewhere else on the page: never store it
            return None
    return {
        "generation": generation,
        "content": content,
        "headers": [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)],
        "csrf": csrf,
        "meta": getattr(response, "cache_meta", None),
    }


def _replay(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if entry["csrf"]:
        # The visitor's own token (and cookie, set by CsrfViewMiddleware as on any page with a form).
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in entry["headers"]:
        response[name] = value
    response.cache_meta = entry["meta"]
    return response


def serve(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    *,
    on_hit: Callable[[dict | None], None] | None = None,
    api: bool = False,
) -> HttpResponse:
    """The cached response for an anonymous GET, or `build()`'s, stored for the next visitor when it may be.

    `on_hit` receives the `cache_meta` dict the view attached to the response it
    built, so a hit can still do per-request work (count a page view). `api`:
    the key includes the Accept header and only JSON is stored.
    """
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    seconds = getattr(settings, "QA_ARCHIVE_CACHE_SECONDS", ARCHIVE_CACHE_SECONDS)
    if not seconds or not _cacheable_request(request):
        return build()
    key = _key(request, vary_on_accept=api)
    # One round trip for both: the entry is valid only if it was stored under the current generation.
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or archive_generation()
    if generation is None:
        return build()
    entry = found.get(key)
    if entry is not None and entry["generation"] == generation:
        if on_hit is not None:
            on_hit(entry["meta"])
        return _replay(request, entry)
    response = build()

    def store(rendered: HttpResponse) -> None:
        stored = _entry(request, rendered, generation, json_only=api)
        if stored is not None:
            cache.set(key, stored, seconds)

    if hasattr(response, "add_post_render_callback") and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
    return response
