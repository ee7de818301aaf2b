"""ASGI entry point: HTTP through Django, WebSockets through Channels.

HTTP requests go through `RequestThreadASGIHandler`, Django's ASGI handler with two
changes that remove the per-request overhead between the server and the view
(measured in bench/, docs/performance.md):

- The middleware chain runs synchronously, in the thread of the (synchronous) view.
  Django's own handler runs it in async mode, where every `MiddlewareMixin`
  middleware moves its process_request/process_response to a thread and back with
  sync_to_async: about 15 handoffs between the event loop and a thread per request
  with the project's middleware, each waiting for the interpreter lock under load.
  Here a request makes three: request_started, the whole chain with the view, and
  response.close() (request_finished), all in the same thread.
- That thread is reused. Django gives each request a new single-thread executor
  (a new OS thread, and new per-thread database wrappers); here an idle one is
  taken from a free list and given back when the request ends. Each still serves
  one request at a time, so thread-sensitive code (database connections,
  request_started/request_finished) sees the same guarantees as before. At most
  `max_idle_threads` wait idle; a spike's extra threads end when their request does.

Every view of the project is synchronous; an async view would still work (Django's
sync chain calls it through async_to_sync), only without the benefit.

ASGI_FAST_HTTP=false (a setting, default true) serves HTTP with Django's stock
ASGIHandler instead: the fallback if a Django upgrade or an async view ever
disagrees with the handler above. Both are tested with the same requests
(tests/config/test_asgi.py).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class RequestThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler with a synchronous middleware chain and reused request threads."""

    max_idle_threads = 32

    def __init__(self) -> None:
        super().__init__()
        # Replace the async chain ASGIHandler built with the synchronous one (same middleware, same order).
        self.load_middleware(is_async=False)
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(1, thread_name_prefix="request")
        try:
            # Every thread-sensitive call of this request (signals, the chain, closing) runs on this executor.
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # If a cancelled request's view is still running there, the next request queues behind it.
            if len(self._idle) < self.max_idle_threads:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)

    async def get_response_async(self, request):
        # One hop to the request's thread for the whole chain: middleware, view, rendering.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def http_handler() -> ASGIHandler:
    """The HTTP handler ASGI_FAST_HTTP selects: the measured one (default) or Django's stock one."""
    from django.conf import settings

    return RequestThreadASGIHandler() if settings.ASGI_FAST_HTTP else ASGIHandler()


def get_asgi_application() -> ASGIHandler:
    django.setup(set_prefix=False)
    return http_handler()


# Django must be set up before the consumers (and the models they import) load.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
