"""The project's ASGI application with static files served, for tests that start a real server.

uvicorn serves only what the application answers; in production a web server or
WhiteNoise serves /static/. The browser test needs live.js, so HTTP goes through
Django's static-files handler here; WebSockets go to the project's router unchanged.
"""

from channels.routing import ProtocolTypeRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config.asgi import application as project

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(project.application_mapping["http"]),
        "websocket": project.application_mapping["websocket"],
    }
)
