"""The floor: the least a Python server can do to fan one event out to every socket.

No Django, no Channels: a bare `websockets` server that subscribes to one Redis
pub/sub channel and calls `websockets.broadcast` with each message it receives. The
benchmark publishes the same kind of frame to it as the platform sends, so the
difference between the two is the cost of the platform's own path.

    python bench/floor_server.py --port 8765 --redis-url redis://127.0.0.1:6379/9 --channel bench:floor

With --hub-format it subscribes to a session's real hub channel (messages `<seq>\n<frame>`, as
dialogues.hub publishes them) and broadcasts the frames: the floor of the benchmark timed from
the moderator's click, fed by the same action through the same web process and PUBLISH.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import signal

import redis.asyncio
import uvloop
from websockets.asyncio.server import broadcast, serve

CONNECTIONS: set = set()


async def handler(websocket) -> None:
    CONNECTIONS.add(websocket)
    try:
        async for _message in websocket:
            pass
    finally:
        CONNECTIONS.discard(websocket)


async def relay(url: str, channel: str, hub_format: bool) -> None:
    client = redis.asyncio.Redis.from_url(url, socket_timeout=None)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    async for message in pubsub.listen():
        if message["type"] == "message":
            data = message["data"]
            if hub_format:
                data = data.partition(b"\n")[2]
            broadcast(CONNECTIONS, data.decode())


async def main(port: int, url: str, channel: str, hub_format: bool = False) -> None:
    # Watchers that drop without a close frame are normal here; their tracebacks are noise.
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None, backlog=4096):
        task = asyncio.create_task(relay(url, channel, hub_format))
        print(f"floor listening on {port} pid {os.getpid()}", flush=True)
        await stop
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--channel", required=True)
    parser.add_argument("--hub-format", action="store_true", help="messages are `<seq>\\n<frame>` (dialogues.hub)")
    args = parser.parse_args()
    # uvloop, as uvicorn uses: the floor should be as fast as Python gets.
    uvloop.run(main(args.port, args.redis_url, args.channel, args.hub_format))
