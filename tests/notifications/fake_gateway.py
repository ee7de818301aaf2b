"""A local stand-in for an SMS brandname gateway: a threaded http.server on a free port of 127.0.0.1.

It records every request (JSON body and headers) and answers from a script of
statuses (e.g. [503, 200]); once the script is used up it answers `default`.
`delay` makes it answer slowly, to exercise the client's timeout.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, default: int = 200, reply: dict | None = None) -> None:
        self.default = default
        self.reply = reply if reply is not None else {"code": "0", "message": "accepted"}
        self.script: list[int] = []
        self.delay = 0.0
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with gateway.lock:
                    status = gateway.script.pop(0) if gateway.script else gateway.default
                    delay = gateway.delay
                    gateway.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "json": json.loads(raw or b"{}"),
                            "status": status,
                        }
                    )
                if delay:
                    time.sleep(delay)
                body = json.dumps(gateway.reply if status < 400 else {"code": str(status), "message": "error"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGateway":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def delivered(self) -> list[dict]:
        """Bodies the gateway accepted (answered 2xx)."""
        with self.lock:
            return [request["json"] for request in self.requests if request["status"] < 300]
