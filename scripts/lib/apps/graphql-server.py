"""A strawberry-graphql server over uvicorn speaking both graphql-transport-ws and the
legacy graphql-ws: a query, a failing resolver and a subscription that counts."""
import asyncio
import sys
from typing import AsyncGenerator

import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello {name}"

    @strawberry.field
    def fail(self) -> str:
        raise ValueError("this resolver always fails")


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self, target: int = 3) -> AsyncGenerator[int, None]:
        for value in range(target):
            yield value
            await asyncio.sleep(0.02)


schema = strawberry.Schema(query=Query, subscription=Subscription)
app = GraphQL(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="critical", ws="websockets-sansio")
