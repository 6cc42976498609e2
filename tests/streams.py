"""Many readers' event streams at once (asyncio, one socket each), as browsers hold them open on a
live page: tests/test_cluster.py opens 2,000 through the production front, bench/push_bench.py
10,000. Each stream counts as open once nchan's preamble arrived (it is subscribed then)."""
import asyncio
import time


class Streams:
    def __init__(self, port, path, count, opening=200):
        self.port, self.path, self.count = port, path, count
        self.opening = asyncio.Semaphore(opening)  # connections being opened at once (the listen backlog)
        self.opened = 0
        self.all_open = asyncio.Event()
        self.received = []  # when each stream's first event arrived (time.monotonic())
        self.failed = []

    async def _one(self):
        try:
            async with self.opening:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
                writer.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
                status = await reader.readline()
                if b" 200 " not in status:
                    raise ConnectionError(status.decode().strip())
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                await reader.readline()  # the preamble: subscribed
            self.opened += 1
            if self.opened == self.count:
                self.all_open.set()
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("closed")
                if line.startswith(b"data:"):
                    self.received.append(time.monotonic())
                    break
            writer.close()
        except (OSError, ConnectionError) as exc:
            self.failed.append(repr(exc))
            self.all_open.set()

    async def deliver(self, send, seconds=60):
        """Open every stream, then call ``send()`` (in a thread); returns ``(sent, received)``: when
        ``send()`` returned and when each stream had the event."""
        tasks = [asyncio.ensure_future(self._one()) for _ in range(self.count)]
        await asyncio.wait_for(self.all_open.wait(), seconds)
        if self.failed:
            raise AssertionError(f"{len(self.failed)} streams failed to open: {self.failed[:3]}")
        await asyncio.get_running_loop().run_in_executor(None, send)
        sent = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), seconds)
        return sent, self.received


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
