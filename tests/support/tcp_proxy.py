"""A loopback TCP proxy that a test can cut and restore: the database "goes away".

`cut()` drops every live connection and refuses new ones (the port is closed);
`restore()` listens again on the same port. `cut_when(marker)` cuts at the moment a
client sends bytes containing `marker` (e.g. the SQL text of an INSERT), before they
reach the server: the transaction in flight dies half-way.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._marker: bytes | None = None
        self.port = 0
        self.cuts = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self.cuts += 1
        self._marker = None
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()

    def cut_when(self, marker: bytes) -> None:
        self._marker = marker

    @property
    def is_up(self) -> bool:
        return self._server is not None

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self._target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers |= {client_w, server_w}
        await asyncio.gather(
            self._pipe(client_r, server_w, watch=True),
            self._pipe(server_r, client_w, watch=False),
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, watch: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if watch and self._marker is not None and self._marker in data:
                    await self.cut()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()

    async def close(self) -> None:
        await self.cut()
