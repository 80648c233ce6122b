"""Round trips to PostgreSQL per survey-form request, counted on the wire.

The app runs under uvicorn (one worker) with its database URL pointing at a small TCP relay on loopback in front
of 127.0.0.1:5432; the relay counts, per connection, each time the app starts sending after PostgreSQL has
answered (one request/answer turn: a BEGIN, a query, a COMMIT, a ping). After a warm-up (pooled connections
open, statements prepared), it GETs `--count` fresh personal links one after another, then POSTs their final
submit one after another, and prints the turns per GET and per POST. Nothing of the app is changed or mocked.

    .venv/bin/python bench/pg_round_trips.py [--count 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_surveys import _form_request, _prepare, _seed, _start_server, _wait_healthy  # noqa: E402
from bench.support import HttpClient, create_database, drop_database, free_port  # noqa: E402
from service.db import upgrade  # noqa: E402


class Relay:
    """A TCP relay to PostgreSQL that counts request/answer turns."""

    def __init__(self) -> None:
        self.turns = 0

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", 5432)
        answered = [True]  # a new connection's first bytes start a turn

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, from_app: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if from_app and answered[0]:
                        self.turns += 1
                    answered[0] = not from_app
                    writer.write(data)
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                writer.close()

        await asyncio.gather(
            pipe(client_reader, server_writer, True), pipe(server_reader, client_writer, False)
        )


async def _turns(relay: Relay, client: HttpClient, requests: list[tuple[str, str, bytes]]) -> float:
    before = relay.turns
    for method, path, body in requests:
        response = await client.request(method, path, body)
        assert response.status == 200, (method, response.status)
    return (relay.turns - before) / len(requests)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="links measured (default 200)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    relay = Relay()
    relay_port = free_port()
    server = await asyncio.start_server(relay.handle, "127.0.0.1", relay_port)
    name, url = await create_database()
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        token, credential_id = await _seed(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = _start_server(url.replace(":5432/", f":{relay_port}/"), 1, port)
        await _wait_healthy(base, process)
        _, paths, answers = await _prepare(base, token, credential_id, args.count + 50)
        body, headers = await _form_request(base, paths[0], answers)
        client = HttpClient("127.0.0.1", port, headers)
        warm, measured = paths[1:50], paths[50:]
        await _turns(relay, client, [("GET", p, b"") for p in warm] + [("POST", p, body) for p in warm])
        per_get = await _turns(relay, client, [("GET", p, b"") for p in measured])
        per_post = await _turns(relay, client, [("POST", p, body) for p in measured])
        client.close()
    finally:
        if process is not None:
            process.terminate()
            await asyncio.to_thread(process.wait, 30)  # the relay serves its shutdown meanwhile
        server.close()
        await drop_database(name)
    print(
        f"PostgreSQL round trips per request ({len(measured)} links, one at a time, warm pool): "
        f"GET of a personal link {per_get:.2f}, POST of its final submit {per_post:.2f}"
    )
    if args.json:
        print(json.dumps({"get": round(per_get, 2), "post": round(per_post, 2), "links": len(measured)}))


if __name__ == "__main__":
    asyncio.run(main())
