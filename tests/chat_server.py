"""A chat robot's webhook as a real HTTP server on 127.0.0.1 (the standard library's http.server in a thread).

It keeps every request it gets (path, query, JSON body) and answers as the platforms document: HTTP 200 with
{"errcode": 0, "errmsg": "ok"} (企业微信, 钉钉) or {"code": 0, "msg": "success"} (飞书).  It can refuse on purpose:
an errcode (45009 "api freq out of limit"), an HTTP status, or a silence longer than the client waits.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    path: str
    raw_query: str  # as sent, before URL decoding
    query: dict[str, str]
    body: dict


@dataclass
class Robot:
    """What the server got, and how it answers the next requests."""

    received: list[Received] = field(default_factory=list)
    refuse: list[tuple[str, object]] = field(default_factory=list)  # ("errcode", 45009) / ("http", 502) / ("slow", s)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, request: Received) -> tuple[int, dict]:
        feishu = "/open-apis/" in path
        if self.refuse:
            how, value = self.refuse.pop(0)
            if how == "errcode":
                return 200, ({"code": value, "msg": "refused", "data": {}} if feishu
                             else {"errcode": value, "errmsg": "api freq out of limit"})
            if how == "http":
                return int(value), {}
            if how == "slow":
                time.sleep(float(value))  # the client has given up by then; the message does not count
                return 200, {"errcode": 0, "errmsg": "ok"}
        self.received.append(request)
        return 200, ({"code": 0, "msg": "success", "data": {}} if feishu else {"errcode": 0, "errmsg": "ok"})


@contextmanager
def serving(robot: Robot) -> Iterator[Robot]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", 0))
            request = Received(parts.path, parts.query, {k: v[0] for k, v in parse_qs(parts.query).items()},
                               json.loads(self.rfile.read(length).decode("utf-8")))
            assert self.headers.get_content_type() == "application/json"
            status, answer = robot.answer(parts.path, request)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client stopped waiting (the slow answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    robot.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
