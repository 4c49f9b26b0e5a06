"""In-process fake of Slack's Socket Mode WebSocket, for tests of the slash commands.

The tracker's listener is slack_sdk's own Socket Mode client, so the fake must speak the
real protocol on a real socket: the RFC 6455 handshake, masked client frames, pings
answered with pongs (else the client calls the link stale and reconnects), and Slack's
envelopes (`hello`, `slash_commands`, acknowledgements carrying `envelope_id`). A mock of
the client would test our assumptions about slack_sdk instead of slack_sdk itself.

slack_sdk talks plain ws:// to any port other than 443, which is what lets this run on an
ephemeral loopback port. Only the standard library is used.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FakeSocketMode", "slash_command_envelope"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA
_MAX_FRAME = 1 << 20


def slash_command_envelope(
    text: str,
    *,
    user_id: str | None = "U0123ABCD",
    channel_id: str = "C0BIOPURE",
    channel_name: str = "biopure",
    response_url: str = "",
    command: str = "/tracker",
) -> dict[str, Any]:
    """A `slash_commands` envelope as Slack sends it (payload fields are all strings)."""
    payload: dict[str, Any] = {
        "token": "verification-token-unused-in-socket-mode",
        "team_id": "T0TEST",
        "team_domain": "test",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_name": "someone",
        "command": command,
        "text": text,
        "api_app_id": "A0TRACKER",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{uuid.uuid4().int % 10**12}.1.abc",
    }
    if user_id is not None:
        payload["user_id"] = user_id
    return {
        "envelope_id": str(uuid.uuid4()),
        "payload": payload,
        "type": "slash_commands",
        "accepts_response_payload": True,
    }


@dataclass
class _Link:
    sock: socket.socket
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    open: bool = True


class FakeSocketMode:
    """A loopback WebSocket endpoint that sends envelopes and records acknowledgements."""

    def __init__(self) -> None:
        self._listener: socket.socket | None = None
        self._links: list[_Link] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._received: list[str] = []
        self._handshakes = 0
        self._cond = threading.Condition()
        self._stopping = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSocketMode:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.05)
        self._listener = listener
        threading.Thread(target=self._accept_loop, name="FakeSocketMode", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        self.drop()

    @property
    def url(self) -> str:
        """A new ticket each time, as apps.connections.open gives."""
        if self._listener is None:
            raise RuntimeError("FakeSocketMode is not running")
        port = self._listener.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4()}&app_id=A0TRACKER"

    # ------------------------------------------------------------------ test controls

    @property
    def handshakes(self) -> int:
        with self._cond:
            return self._handshakes

    def wait_connected(self, handshakes: int = 1, timeout: float = 20.0) -> bool:
        """True once `handshakes` connections were made and one is open."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._handshakes >= handshakes and any(x.open for x in self._links),
                timeout,
            )

    def send(self, envelope: dict[str, Any] | str) -> str:
        """Send an envelope (or any raw text) on the newest open link; returns envelope_id."""
        text = envelope if isinstance(envelope, str) else json.dumps(envelope)
        with self._cond:
            link = next((x for x in reversed(self._links) if x.open), None)
        if link is None:
            raise RuntimeError("no open Socket Mode connection")
        self._send_frame(link, _TEXT, text.encode("utf-8"))
        return envelope.get("envelope_id", "") if isinstance(envelope, dict) else ""

    def wait_for_ack(self, envelope_id: str, timeout: float = 20.0) -> dict[str, Any] | None:
        """The acknowledgement's JSON (with `payload` if one was sent), or None on timeout."""
        with self._cond:
            self._cond.wait_for(lambda: envelope_id in self._acks, timeout)
            return self._acks.get(envelope_id)

    @property
    def received(self) -> list[str]:
        """Every text frame the client sent, acknowledgements included."""
        with self._cond:
            return list(self._received)

    def drop(self) -> None:
        """Cut every connection without a close frame, as a network failure would."""
        with self._cond:
            links, self._links = self._links, []
        for link in links:
            link.open = False
            with contextlib.suppress(OSError):
                link.sock.shutdown(socket.SHUT_RDWR)
            link.sock.close()

    def send_disconnect(self) -> None:
        """Slack's polite refresh: a `disconnect` envelope, after which clients reconnect."""
        self.send({"type": "disconnect", "reason": "refresh_requested"})

    # ------------------------------------------------------------------ server side

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        link = _Link(sock)
        try:
            if not self._handshake(sock):
                sock.close()
                return
            with self._cond:
                self._links.append(link)
                self._handshakes += 1
                self._cond.notify_all()
            hello = {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0TRACKER"},
            }
            self._send_frame(link, _TEXT, json.dumps(hello).encode())
            while link.open:
                frame = self._read_frame(sock)
                if frame is None:
                    break
                opcode, data = frame
                if opcode == _PING:
                    self._send_frame(link, _PONG, data)
                elif opcode == _TEXT:
                    self._on_text(data.decode("utf-8", "replace"))
                elif opcode == _CLOSE:
                    self._send_frame(link, _CLOSE, data[:2])
                    break
        except OSError:
            pass
        finally:
            link.open = False
            with contextlib.suppress(OSError):
                sock.close()
            with self._cond:
                self._cond.notify_all()

    def _on_text(self, text: str) -> None:
        with self._cond:
            self._received.append(text)
            try:
                message = json.loads(text)
            except ValueError:
                message = None
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                self._acks[message["envelope_id"]] = message
            self._cond.notify_all()

    @staticmethod
    def _handshake(sock: socket.socket) -> bool:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = sock.recv(4096)
            if not chunk or len(request) > 65536:
                return False
            request += chunk
        key = ""
        for line in request.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        if not key:
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return False
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        return True

    @staticmethod
    def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _read_frame(self, sock: socket.socket) -> tuple[int, bytes] | None:
        head = self._recv_exact(sock, 2)
        if head is None:
            return None
        opcode = head[0] & 0x0F
        masked = head[1] & 0x80
        length = head[1] & 0x7F
        if length == 126:
            ext = self._recv_exact(sock, 2)
            if ext is None:
                return None
            (length,) = struct.unpack("!H", ext)
        elif length == 127:
            ext = self._recv_exact(sock, 8)
            if ext is None:
                return None
            (length,) = struct.unpack("!Q", ext)
        if length > _MAX_FRAME:
            return None
        mask = self._recv_exact(sock, 4) if masked else b"\0\0\0\0"
        payload = self._recv_exact(sock, length) if length else b""
        if mask is None or payload is None:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    @staticmethod
    def _send_frame(link: _Link, opcode: int, data: bytes) -> None:
        """Server frames are never masked (RFC 6455, section 5.1)."""
        if len(data) < 126:
            header = struct.pack("!BB", 0x80 | opcode, len(data))
        elif len(data) < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, len(data))
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, len(data))
        with link.send_lock:
            link.sock.sendall(header + data)
