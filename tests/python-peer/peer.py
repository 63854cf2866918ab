"""A Python peer of the cbor-rpc wire protocol, for interoperation tests.

Written from docs/protocol.md with Python's own cbor2 (Debian's python3-cbor2)
and json, independently of the TypeScript code, so that the tests prove that
what our packages write is what another implementation reads, and back.

    peer.py server cbor|json            serve on stdin/stdout
    peer.py client cbor|json PORT       call a server on 127.0.0.1:PORT, then
                                        print a JSON report on stdout
"""

import asyncio
import codecs
import io
import json
import sys

import cbor2

CALL, FIRE, REPLY, CANCEL = 0, 1, 2, 3


def jsonable(value):
    """The value as JSON can report it: bytes as {"bytes": hex}, big ints as text."""
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if value is cbor2.undefined:
        return {"undefined": True}
    return value


class Framing:
    """Splits a byte stream into messages: CBOR items or JSON values back to back."""

    def __init__(self, encoding):
        self.encoding = encoding
        self.buffer = b""
        self.text = ""
        self.utf8 = codecs.getincrementaldecoder("utf-8")()

    def encode(self, message):
        if self.encoding == "cbor":
            return cbor2.dumps(message)
        return json.dumps(message, separators=(",", ":")).encode() + b"\n"

    def feed(self, data):
        return self.feed_cbor(data) if self.encoding == "cbor" else self.feed_json(data)

    def feed_cbor(self, data):
        self.buffer += data
        messages = []
        while self.buffer:
            source = io.BytesIO(self.buffer)
            try:
                messages.append(cbor2.CBORDecoder(source).decode())
            except cbor2.CBORDecodeEOF:
                break
            self.buffer = self.buffer[source.tell():]
        return messages

    def feed_json(self, data):
        self.text = (self.text + self.utf8.decode(data)).lstrip()
        messages = []
        while self.text:
            try:
                message, end = json.JSONDecoder().raw_decode(self.text)
            except json.JSONDecodeError:
                break
            messages.append(message)
            self.text = self.text[end:].lstrip()
        return messages


class Connection:
    """One side of the protocol: calls and fires out, handlers in, events both ways."""

    def __init__(self, reader, writer, encoding, handlers):
        self.reader = reader
        self.writer = writer
        self.framing = Framing(encoding)
        self.handlers = handlers
        self.next_id = 0  # as in the Python cbor-rpc package, whose call ids start at 0
        self.pending = {}  # id -> (future, logs, progress)
        self.cancelled = set()
        self.events = asyncio.Queue()
        self.on_event = None

    def send(self, message):
        self.writer.write(self.framing.encode(message))

    async def call(self, method, *args):
        call_id = self.next_id
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        logs, progress = [], []
        self.pending[call_id] = (future, logs, progress)
        self.send([1, CALL, call_id, method, list(args)])
        try:
            ok, value = await future
        finally:
            del self.pending[call_id]
        return {"ok": ok, "value": value, "logs": logs, "progress": progress}

    def fire(self, method, *args):
        self.send([1, FIRE, self.next_id, method, list(args)])
        self.next_id += 1

    def emit(self, topic, message):
        self.send([3, 0, topic, message])

    def log(self, call_id, level, content):
        self.send([2, 0, call_id, level, content])

    def progress(self, call_id, value, metadata):
        self.send([2, 1, call_id, value, metadata])

    async def run(self):
        while True:
            data = await self.reader.read(65536)
            if not data:
                break
            for message in self.framing.feed(data):
                self.receive(message)
        for future, _logs, _progress in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("connection closed"))

    def receive(self, message):
        protocol, kind = message[0], message[1]
        if protocol == 1 and kind in (CALL, FIRE):
            _, _, call_id, method, args = message
            asyncio.get_running_loop().create_task(self.handle(call_id, method, args, kind == CALL))
        elif protocol == 1 and kind == REPLY:
            entry = self.pending.get(message[2])
            if entry and not entry[0].done():
                entry[0].set_result((message[3], message[4]))
        elif protocol == 1 and kind == CANCEL:
            self.cancelled.add(message[2])
        elif protocol == 2:
            entry = self.pending.get(message[2])
            if entry:
                if kind == 0:
                    entry[1].append([message[3], message[4]])
                else:
                    entry[2].append([message[3], message[4]])
        elif protocol == 3:
            if self.on_event:
                self.on_event(message[2], message[3])
            self.events.put_nowait([message[2], message[3]])

    async def handle(self, call_id, method, args, expects_reply):
        handler = self.handlers.get(method)
        try:
            if handler is None:
                raise LookupError("Unknown method: " + method)
            result = await handler(self, call_id, *args)
            ok = True
        except Exception as error:  # the protocol answers every failure with its message
            result, ok = str(error), False
        self.cancelled.discard(call_id)
        if expects_reply:
            self.send([1, REPLY, call_id, ok, result])


# --- server mode: methods the tests call -----------------------------------

async def add(conn, call_id, a, b):
    return a + b


async def echo(conn, call_id, value):
    return value


async def describe(conn, call_id, value):
    """What Python decoded, as JSON text: proves the types, not only a round trip."""
    return json.dumps(jsonable(value), sort_keys=True)


async def fail(conn, call_id, message):
    raise RuntimeError(message)


async def work(conn, call_id, steps):
    for step in range(1, steps + 1):
        conn.log(call_id, 3, "step %d of %d" % (step, steps))
        conn.progress(call_id, step * 100 // steps, {"step": step})
        await asyncio.sleep(0)
    return "worked %d steps" % steps


async def slow(conn, call_id):
    conn.emit("started", {"id": call_id})
    for tick in range(500):
        if call_id in conn.cancelled:
            conn.emit("cancelled", {"id": call_id, "ticks": tick})
            return "stopped"
        await asyncio.sleep(0.01)
    return "never cancelled"


async def greet(conn, call_id):
    first_id = conn.next_id
    answer = await conn.call("whoAreYou")
    if not answer["ok"]:
        return "no answer: %s" % answer["value"]
    return "hello %s (asked as call %d)" % (answer["value"], first_id)


async def note(conn, call_id, value):
    conn.emit("noted", value)


async def announce(conn, call_id, text):
    conn.log(0, 3, text)  # a log outside any call, as the Python package sends them
    return "announced"


async def serve(encoding):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    handlers = {"add": add, "echo": echo, "describe": describe, "fail": fail, "work": work, "slow": slow, "greet": greet, "note": note, "announce": announce}
    conn = Connection(reader, writer, encoding, handlers)
    conn.on_event = lambda topic, message: topic == "ping" and conn.emit("pong", message)
    await conn.run()


# --- client mode: a scripted session against a server of ours ---------------

async def who_are_you(conn, call_id):
    return "the python peer"


async def client(encoding, port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = Connection(reader, writer, encoding, {"whoAreYou": who_are_you})
    running = asyncio.get_running_loop().create_task(conn.run())
    report = {"firstId": conn.next_id}
    report["add"] = await conn.call("add", 5, 10)
    sample = {"text": "h\u00e9llo \u2713", "list": [1, None, True, -7], "float": 1.5, "big": 2**64 + 1}
    if encoding == "cbor":
        sample["bytes"] = b"\x00\x01\xfe\xff"
    report["echo"] = await conn.call("echo", sample)
    report["echo"]["value"] = jsonable(report["echo"]["value"])
    report["types"] = await conn.call("describe", sample)
    report["fail"] = await conn.call("fail", "boom")
    report["unknown"] = await conn.call("launchRockets")
    report["work"] = await conn.call("work", 3)
    report["greet"] = await conn.call("greet")
    conn.fire("note", "fired")
    report["noted"] = await asyncio.wait_for(conn.events.get(), 5)
    conn.emit("ping", {"n": 1})
    report["pong"] = await asyncio.wait_for(conn.events.get(), 5)
    writer.close()
    await running
    print(json.dumps(report, sort_keys=True))


def main():
    mode, encoding = sys.argv[1], sys.argv[2]
    if mode == "server":
        asyncio.run(serve(encoding))
    else:
        asyncio.run(client(encoding, int(sys.argv[3])))


if __name__ == "__main__":
    main()
