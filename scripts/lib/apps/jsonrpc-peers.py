"""JSON-RPC 2.0 over python websockets, server and client in one process: requests, a
notification, a batch, an error, a request the server never answers; one connection
with the subprotocol `jsonrpc`, one without (chosen by content). Both sides log every
message they send and receive as JSON lines."""
import asyncio
import json
import sys

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from jsonlog import open_log, record

METHODS = {"subtract": lambda p: p[0] - p[1], "sum": lambda p: sum(p)}


def answer(request):
    if "id" not in request:
        return None  # a notification
    if request.get("method") == "sleep":
        return None  # never answered: the capture shows it
    method = METHODS.get(request.get("method"))
    if method is None:
        return {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": request["id"]}
    return {"jsonrpc": "2.0", "result": method(request.get("params", [])), "id": request["id"]}


async def server(log, port):
    async def handle(connection):
        async for text in connection:
            record(log, "server", "recv", text)
            message = json.loads(text)
            if isinstance(message, list):
                answers = [a for a in map(answer, message) if a is not None]
                reply = json.dumps(answers) if answers else None
            else:
                found = answer(message)
                reply = json.dumps(found) if found else None
            if reply:
                record(log, "server", "send", reply)
                await connection.send(reply)

    def select(connection, offered):
        # The subprotocol when offered; a client offering none is served too.
        return "jsonrpc" if "jsonrpc" in offered else None

    return await serve(handle, "127.0.0.1", port, select_subprotocol=select, compression=None)


CALLS = [
    {"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1},
    {"jsonrpc": "2.0", "method": "update", "params": [1, 2, 3, 4, 5]},
    [
        {"jsonrpc": "2.0", "method": "sum", "params": [1, 2, 4], "id": "2"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"},
    ],
    {"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 3},
    {"jsonrpc": "2.0", "method": "sleep", "params": {"seconds": 60}, "id": 4},
]


async def client(log, port, subprotocols):
    async with connect(f"ws://127.0.0.1:{port}/rpc", subprotocols=subprotocols, compression=None) as connection:
        for call in CALLS:
            text = json.dumps(call)
            record(log, "client", "send", text, subprotocol=connection.subprotocol)
            await connection.send(text)
            expects = call.get("id") is not None and call.get("method") != "sleep" if isinstance(call, dict) else True
            if expects:
                reply = await asyncio.wait_for(connection.recv(), 5)
                record(log, "client", "recv", reply, subprotocol=connection.subprotocol)
        await asyncio.sleep(0.05)


async def main(port, log_path):
    log = open_log(log_path)
    listener = await server(log, port)
    await client(log, port, ["jsonrpc"])
    await client(log, port, None)
    listener.close()
    await listener.wait_closed()
    log.close()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2]), 30))
