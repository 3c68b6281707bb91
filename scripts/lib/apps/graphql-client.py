"""The gql client over its websockets transport, one connection per run: a subscription
with several results, a query, a query whose resolver fails and one that does not
validate. gql's own log (">>> " sent, "<<< " received) is written as JSON lines."""
import asyncio
import logging
import sys

from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from jsonlog import JSONLinesHandler, open_log


async def main(port, subprotocol, log_path):
    log = open_log(log_path)
    handler = JSONLinesHandler(log, "client")
    # gql logs every message it sends (">>> ") and receives ("<<< ") at DEBUG.
    logger = logging.getLogger("gql")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    transport = WebsocketsTransport(
        url=f"ws://127.0.0.1:{port}/graphql", subprotocols=[subprotocol], ping_interval=None)
    async with Client(transport=transport) as session:
        async for result in session.subscribe(gql("subscription Count { count(target: 4) }")):
            pass
        # strawberry's legacy graphql-ws refuses queries ("queries are not allowed"): an
        # error result there, which is what the sample shows.
        for document in ("query Hello { hello(name: \"switchpoint\") }", "query Failing { fail }",
                         "query Invalid { nope }"):
            try:
                await session.execute(gql(document))
            except TransportQueryError:
                pass
    log.close()


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]), 30))
