"""moto's server, made to behave like DynamoDB under concurrency (`make run`, tests, chaos runs).

`python -m devstack.moto_server --port 0` runs it alone (prints its URL first). Where it differs
from a plain moto server, so that what a concurrency test or a chaos run finds is about the shop,
not the double:

- Requests run at once as DynamoDB runs them, and no more (`devstack.moto_locks`): reads in
  parallel; a write holds its items alone, because moto checks a condition and then writes
  without a lock, so two concurrent conditional writes could both pass (DynamoDB makes them
  atomic), and a reader could meet half a transaction.
- TransactWriteItems rolls back only the items it touched. moto snapshots and restores whole
  tables, which costs O(table size) per transaction (hundreds of ms once the event log holds
  a few thousand items) and would wipe out the writes other requests made meanwhile.
- It keeps up with a thousand shoppers: the backend for a host is looked up once, items are
  answered as the JSON they are, and the listen backlog is 4,096 (each explained where it is).
- Less CPU per request, the same answers (`bench/moto_cpu.py` measures it): an item's size is
  added up once per item built, not once per attribute; an UpdateExpression is parsed, and a
  ConditionExpression lexed, once per distinct text; the 400 KB limit and every validation
  error are moto's own.

In front of both sits `devstack.dynamodb_faults.ServerFaults` (`server.faults`), off unless
switched on: transaction conflicts, sustained throttling, UnprocessedKeys, latency.
"""

import argparse
import copy
import json
import signal
import sys
import threading

from werkzeug.serving import make_server

from devstack.moto_locks import TableLocks, patch_reads

LISTEN_BACKLOG = 4096  # the kernel caps it at net.core.somaxconn


def patch_transactions():
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType

    def transact_write_items(self, transact_items):
        # moto's own implementation, except for what is backed up and restored.
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        backups: dict[tuple, dict | None] = {}  # (table name, hash, range) -> the item before this transaction, or None
        target_items = set()
        errors: list[tuple[str | None, str | None, object]] = []  # (code, message, item) per action

        def slot_of(table_name, key):
            table = self.get_table(table_name)
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            return table, hash_value, range_value

        def restore():
            for (table_name, hash_value, range_value), item in backups.items():
                table = self.tables.get(table_name)
                if table is None:
                    continue
                if item is not None:
                    if range_value is not None:
                        table.items[hash_value][range_value] = item
                    else:
                        table.items[hash_value] = item
                elif range_value is not None:
                    table.items.get(hash_value, {}).pop(range_value, None)
                else:
                    table.items.pop(hash_value, None)

        for item in transact_items:
            original_item = None
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                condition_expression = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    attrs = op["Item"]
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                unique = (str(table_name), str(dict(sorted(key.items()))))
                if unique in target_items:
                    raise MultipleTransactionsException()
                target_items.add(unique)

                table, hash_value, range_value = slot_of(table_name, key)
                current = table.get_item(hash_value, range_value)
                backups.setdefault((table_name, hash_value, range_value), copy.deepcopy(current))
                if condition_expression is not None and not get_filter_expression(
                    condition_expression, names, values
                ).expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
                condition = {
                    "condition_expression": condition_expression,
                    "expression_attribute_names": names,
                    "expression_attribute_values": values,
                }
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], **condition)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, **condition)
                elif op_type == "Update":
                    self.update_item(table_name, key, update_expression=op["UpdateExpression"], **condition)
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                restore()
                raise
            except ConditionalCheckFailed as error:
                errors.append(("ConditionalCheckFailed", str(error.message), original_item))
            except Exception as error:  # noqa: BLE001 - moto reports any other failure per item
                errors.append((type(error).__name__, str(error), original_item))
        if any(code is not None for code, _, _ in errors):
            restore()
            raise TransactionCanceledException(errors)

    DynamoDBBackend.transact_write_items = transact_write_items


def patch_serializer():
    """moto serializes every answer by walking botocore's model of it. For DynamoDB's items, an
    AttributeValue at a time, that walk was most of what moto spent per request (a per-request
    profile of a chaos run: 60 % of its CPU). Items are JSON already: an AttributeValue of
    strings, numbers as strings, booleans, lists and maps of them goes out as it is; anything
    else (binary, a number moto holds as a number) still takes moto's own way."""
    from moto.core.serialize import BaseJSONSerializer

    walk = BaseJSONSerializer._serialize_type_structure

    def serialize_type_structure(self, serialized, value, shape, key):
        plain = _plain_attribute_value(value) if key and shape.name == "AttributeValue" else None
        if plain is None:
            return walk(self, serialized, value, shape, key)
        self._default_serialize(serialized, plain, shape, key)
        return None

    BaseJSONSerializer._serialize_type_structure = serialize_type_structure


def patch_action_lookup():
    """moto finds the method for each request's action by listing its handler class's members
    (`inspect.getmembers`, some 3 ms of CPU per request, every request). A class's methods do not
    change while the server runs: listed once per class."""
    import functools

    from moto.core import responses

    if not hasattr(responses.method_names_from_class, "cache_info"):  # once per process
        responses.method_names_from_class = functools.cache(responses.method_names_from_class)


def patch_item_size():
    """moto checks DynamoDB's 400 KB item limit on every attribute it sets, adding up the whole
    item each time, so building an item of n attributes sizes it n times (a fifth of a PutItem's
    server CPU at 40 attributes). The attributes now go in unchecked but the last, which takes
    moto's own check over the whole item: sizes only add up, so an item refused before is
    refused now, with the same error. Updates still check each attribute they set."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def item_init(self, hash_key, range_key, attrs):
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        values = [(name, DynamoType(value)) for name, value in attrs.items()]
        for name, value in values[:-1]:
            dict.__setitem__(self.attrs, name, value)
        for name, value in values[-1:]:
            self.attrs[name] = value  # moto's check: the whole item against the limit

    Item.__init__ = item_init


def patch_update_expressions():
    """moto parses an UpdateExpression twice per UpdateItem (to list the names it uses, then to
    apply it), and runs ten validators over it that look up, for every node, which node types
    they act on. The shop sends a handful of distinct expressions: each is parsed once (moto
    copies the tree before it changes anything, and an invalid one is not kept, so it fails
    each time as before), and each validator class lists its node types once."""
    import functools

    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    if hasattr(UpdateExpressionParser.make, "cache_info"):  # once per process
        return
    UpdateExpressionParser.make = staticmethod(functools.lru_cache(maxsize=1024)(UpdateExpressionParser.make))
    node_types = {}  # validator class -> the node types it processes (its map's keys, fixed per class)

    def nodes_to_be_processed(self):
        if type(self) not in node_types:
            node_types[type(self)] = tuple(self._processing_map())
        return node_types[type(self)]

    DepthFirstTraverser.nodes_to_be_processed = nodes_to_be_processed


def patch_condition_lexing():
    """moto lexes a ConditionExpression with six regular expressions per token, twice per
    conditional write (to list the names it uses, then to check it). The tokens depend on the
    text alone: each text is lexed once, and every parse gets tokens of its own (moto's parser
    builds on them). Text that does not lex is not kept, and fails each time as before."""
    import functools
    from collections import deque

    from moto.dynamodb.comparisons import ConditionExpressionParser

    if hasattr(ConditionExpressionParser, "_lex_uncached"):  # once per process
        return
    ConditionExpressionParser._lex_uncached = ConditionExpressionParser._lex_condition_expression

    @functools.lru_cache(maxsize=1024)
    def tokens_of(expression):
        parser = ConditionExpressionParser(expression, None, None)
        return tuple((node.nonterminal, node.kind, node.text) for node in parser._lex_uncached())

    def lex_condition_expression(self):
        return deque(
            self.Node(nonterminal=nonterminal, kind=kind, text=text, value=text, children=[])
            for nonterminal, kind, text in tokens_of(self.condition_expression)
        )

    ConditionExpressionParser._lex_condition_expression = lex_condition_expression


def _plain_attribute_value(value):
    """`value` (a dict, or moto's DynamoType) as plain JSON, or None when it is not that simple."""
    if hasattr(value, "type") and hasattr(value, "value") and not isinstance(value, dict):
        value = {value.type: value.value}  # moto's DynamoType, inside lists and maps
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((kind, inner),) = value.items()
    if kind in ("S", "N"):
        return value if isinstance(inner, str) else None
    if kind in ("BOOL", "NULL"):
        return value if isinstance(inner, bool) else None
    if kind in ("SS", "NS"):
        return value if isinstance(inner, list) and all(isinstance(each, str) for each in inner) else None
    if kind == "L" and isinstance(inner, list):
        items = [_plain_attribute_value(each) for each in inner]
        return None if any(each is None for each in items) else {"L": items}
    if kind == "M" and isinstance(inner, dict):
        members = {name: _plain_attribute_value(each) for name, each in inner.items()}
        return None if any(each is None for each in members.values()) else {"M": members}
    return None  # B, BS: base64 is moto's business


def _dispatcher():
    """moto's WSGI dispatcher, remembering which backend serves a host. moto looks that up on
    every request under one global lock, listing its package directory (a listdir and a hundred
    stats) each time: the one place where every request waited for every other."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class Dispatcher(DomainDispatcherApplication):
        def __init__(self, create_app):
            super().__init__(create_app)
            self._backends = {}  # host -> backend; used under moto's own lock

        def get_backend_for_host(self, host):
            if host not in self._backends:
                self._backends[host] = super().get_backend_for_host(host)
            return self._backends[host]

    return Dispatcher(create_backend_app)


class MotoServer:
    """In-process (a threaded Werkzeug server): moto's DynamoDB, S3, Secrets Manager and SES on
    one port, plus the local mailbox."""

    def __init__(self, host="127.0.0.1", port=0):
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        class QuietHandler(MotoRequestHandler):
            def log_request(self, code="-", size="-"):
                pass  # thousands of requests per run; errors are still logged

        from devstack.dynamodb_faults import ServerFaults

        patch_transactions()
        patch_reads()
        patch_serializer()
        patch_action_lookup()
        patch_item_size()
        patch_update_expressions()
        patch_condition_lexing()
        # Faults sit in front of the locks: a transaction "in flight" must not block others.
        self.locks = TableLocks(_dispatcher())
        self.faults = ServerFaults.from_env(self.locks)
        from devstack.mailbox import MailboxApp

        # The local mailbox (/_mailbox/) reads moto's SES in this process.
        self._server = make_server(host, port, MailboxApp(self.faults), threaded=True, request_handler=QuietHandler)
        # Werkzeug closes every connection after its answer, so each DynamoDB call connects
        # anew; past Werkzeug's backlog of 128 the kernel drops connections, and a client waits
        # a second to try again (the shop's connect timeout is 1 s). A thousand-shopper chaos
        # run met hundreds of those; DynamoDB has no such queue.
        self._server.socket.listen(LISTEN_BACKLOG)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()  # free the port for the next start


SerialMotoServer = MotoServer  # its old name, for branches still using it


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m devstack.moto_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = MotoServer(args.host, args.port)

    def stop(*_):
        # What the double injected, for the chaos report (devstack.dynamodb_faults.ServerFaults).
        print(f"moto faults injected: {json.dumps(server.faults.injected, sort_keys=True)}", flush=True)
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"moto listening on {server.url}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
