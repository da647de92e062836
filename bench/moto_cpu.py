"""CPU per DynamoDB call on the local moto server: `python -m bench.moto_cpu [--calls 300]`.

Client (botocore) and server (moto) run in this process, as in every pytest worker, so the
process's CPU time per call is what a test pays per call. One table, one item of about 40
attributes (the size of an order with its lines), then GetItem, PutItem and UpdateItem with a
ConditionExpression (the shop's versioned writes) and a TransactWriteItems of four of those, each timed over `--calls` calls, the best of
`--rounds` rounds.
"""

import argparse
import json
import sys
import time

from devstack.aws import LocalAWS

ATTRIBUTES = 40


def an_item(version: int) -> dict:
    item = {"pk": {"S": "order-1"}, "version": {"N": str(version)}}
    for index in range(ATTRIBUTES - 4):
        item[f"field_{index:02d}"] = {"S": f"value {index} " * 4} if index % 3 else {"N": str(index * 1250)}
    item["lines"] = {"L": [{"M": {"sku": {"S": f"SKU-{n}"}, "qty": {"N": "2"}}} for n in range(5)]}
    item["tags"] = {"SS": ["gift", "express"]}
    return item


def per_call_ms(calls: int, call, rounds: int) -> tuple[float, float]:
    """(process CPU, server CPU) per call in ms: the server's is the process's less this thread's
    (the client's). The least of `rounds` rounds: other processes on the machine only add."""
    best = (float("inf"), float("inf"))
    for _ in range(rounds):
        process, client = time.process_time(), time.thread_time()
        for index in range(calls):
            call(index)
        process, client = time.process_time() - process, time.thread_time() - client
        best = min(best, (process * 1000 / calls, (process - client) * 1000 / calls))
    return best


def transaction_of(client, *, stock: int):
    """A call taking one of each of `stock` articles, each under its version (like place_order)."""
    for index in range(stock):
        client.put_item(
            TableName="bench", Item={"pk": {"S": f"stock-{index}"}, "version": {"N": "0"}, "qty": {"N": "9999999"}}
        )

    def take(version):
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": "bench",
                        "Key": {"pk": {"S": f"stock-{index}"}},
                        "UpdateExpression": "SET version = :next ADD qty :minus",
                        "ConditionExpression": "version = :current AND qty >= :one",
                        "ExpressionAttributeValues": {
                            ":next": {"N": str(version + 1)},
                            ":current": {"N": str(version)},
                            ":minus": {"N": "-1"},
                            ":one": {"N": "1"},
                        },
                    }
                }
                for index in range(stock)
            ]
        )

    versions = iter(range(10**9))
    return lambda _: take(next(versions))


def measure(calls: int, rounds: int = 3) -> dict[str, tuple[float, float]]:
    aws = LocalAWS(port=0).start()
    try:
        client = aws.client("dynamodb")
        client.create_table(
            TableName="bench",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="bench", Item=an_item(0))
        key = {"pk": {"S": "order-1"}}
        for _ in range(20):  # warm up: imports, botocore's models, moto's caches
            client.get_item(TableName="bench", Key=key)
        version = iter(range(1, 10**9))

        def update(_):
            current = next(version)
            client.update_item(
                TableName="bench",
                Key=key,
                UpdateExpression="SET field_01 = :text, version = :next ADD field_03 :one",
                ConditionExpression="attribute_exists(pk) AND version = :current",
                ExpressionAttributeValues={
                    ":text": {"S": f"updated {current}"},
                    ":next": {"N": str(current + 1)},
                    ":current": {"N": str(current)},
                    ":one": {"N": "1"},
                },
            )

        def put(index):
            client.put_item(TableName="bench", Item={**an_item(0), "pk": {"S": f"order-{index % 50}"}})

        figures = {
            "GetItem": per_call_ms(calls, lambda _: client.get_item(TableName="bench", Key=key), rounds),
            "PutItem": per_call_ms(calls, put, rounds),
        }
        client.put_item(TableName="bench", Item=an_item(1))
        figures["UpdateItem"] = per_call_ms(calls, update, rounds)
        figures["TransactWriteItems"] = per_call_ms(calls, transaction_of(client, stock=4), rounds)
        return figures
    finally:
        aws.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.moto_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    figures = measure(args.calls, args.rounds)
    print(
        json.dumps(
            {name: {"cpu_ms": round(cpu, 2), "server_ms": round(server, 2)} for name, (cpu, server) in figures.items()}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
