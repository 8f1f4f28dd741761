"""A stand-in for Slack's Socket Mode WebSocket on 127.0.0.1 (plain ws://, RFC 6455 framing).

The fake Web API hands its URL out from apps.connections.open. `send(envelope)` pushes an
envelope to the connected app; `acks` collects the envelope ids the app acknowledged.
`drop()` cuts the connection as a network or Slack would; the app may connect again.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.acks: list[str] = []
        self.connections = 0  # how many times the app connected
        self._conn: socket.socket | None = None
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/?ticket=test"

    def wait_connected(self, count: int = 1, timeout: float = 30) -> None:
        """Until the app has connected `count` times and is connected now."""
        with self._cond:
            connected = self._cond.wait_for(
                lambda: self.connections >= count and self._conn is not None, timeout
            )
            assert connected, f"the app connected {self.connections} times, not {count}"

    def drop(self) -> None:
        """Cut the current connection without a close frame."""
        with self._cond:
            conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def wait_acks(self, count: int, timeout: float = 30) -> list[str]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.acks) >= count, timeout), f"acks: {self.acks}"
            return list(self.acks)

    def send(self, message: dict[str, Any]) -> None:
        assert self._conn is not None
        self._frame(0x1, json.dumps(message).encode())

    def close(self) -> None:
        self.listener.close()
        if self._conn is not None:
            self._conn.close()

    # ------------------------------------------------------------ protocol

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = next(v for k, v in headers.items() if k.lower() == "sec-websocket-key").strip()
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._cond:
            self._conn = conn
            self.connections += 1
            self._cond.notify_all()
        self.send({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0DECLARATIE"}})
        self._read(conn)

    def _frame(self, opcode: int, payload: bytes, conn: socket.socket | None = None) -> None:
        """One frame to `conn`, or to the current connection."""
        conn = conn or self._conn
        assert conn is not None
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        with self._send_lock:
            conn.sendall(header + payload)

    def _read(self, conn: socket.socket) -> None:
        def exactly(n: int) -> bytes:
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise ConnectionError
                data += chunk
            return data

        try:
            while True:
                b1, b2 = exactly(2)
                opcode, n = b1 & 0x0F, b2 & 0x7F
                if n == 126:
                    (n,) = struct.unpack("!H", exactly(2))
                elif n == 127:
                    (n,) = struct.unpack("!Q", exactly(8))
                mask = exactly(4) if b2 & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(exactly(n)))
                if opcode == 0x9:  # ping: the pong goes back on the connection it came on
                    self._frame(0xA, payload, conn)
                elif opcode == 0x8:  # close
                    return
                elif opcode == 0x1:
                    message = json.loads(payload)
                    if "envelope_id" in message:
                        with self._cond:
                            self.acks.append(message["envelope_id"])
                            self._cond.notify_all()
        except (ConnectionError, OSError, ValueError):
            return
