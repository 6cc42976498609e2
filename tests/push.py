"""The push engine the tests own: nginx with Debian's nchan module, configured by
deploy/nginx.conf.in (messages kept in its memory), on free loopback ports; and a reader's event
stream as a browser's EventSource reads it."""
import json
import shutil
import socket
from pathlib import Path

from .cluster import free_port, start_nginx, wait_for_port, write_nginx_conf

NCHAN = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")


class PrivateNchan:
    available = bool(shutil.which("nginx")) and NCHAN.exists()

    def __init__(self, folder):
        self.port, self.push_port = free_port(), free_port()
        write_nginx_conf(folder, listen=f"127.0.0.1:{self.port}", app_ports=[free_port()], push_port=self.push_port,
                         static_root=folder)
        self.process = start_nginx(folder)
        wait_for_port(self.push_port, self.process)
        wait_for_port(self.port, self.process)
        self.publish_url = f"http://127.0.0.1:{self.push_port}/pub/"

    def stream(self, channel, last_event_id=None):
        return Stream(self.port, f"/stream/{channel}", last_event_id)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class Stream:
    """One reader's stream, subscribed when this returns (nchan's preamble arrived). ``next()``
    waits at most ``seconds`` for the next event (skipping heartbeats), as ``(id, data)``."""

    def __init__(self, port, path, last_event_id=None, seconds=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=seconds)
        extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline().decode()
        self.status = int(status.split()[1])
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass  # headers
        if self.status == 200:
            assert self.file.readline().startswith(b":"), "no preamble"  # ": hi": subscribed

    def next(self, seconds=10):
        self.sock.settimeout(seconds)
        event = {}
        while True:
            line = self.file.readline().decode().rstrip("\r\n")
            if not line and "data" in event:
                return event.get("id"), event["data"]
            if line.startswith(":") or not line:
                continue
            field, _, value = line.partition(": ")
            event[field] = value

    def next_json(self, seconds=10):
        event_id, data = self.next(seconds)
        return event_id, json.loads(data)

    def close(self):
        self.file.close()
        self.sock.close()
