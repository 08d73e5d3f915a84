"""A browser tab without a browser: Streamlit's websocket protocol, driving the live view as static/liveview.js does.

One LiveClient is one browser session. It opens the app with a link's query string (a BackMsg
rerun_script, as the page's first run), reads the ForwardMsgs that come back (deltas, the page
list, the address bar's query string, the end of each run), and keeps the newest payload of the
page's live view: the JSON data of the Streamlit component whose key is live_<view>. It talks back
the way the browser module does, in reruns of the view's fragment:

- a click is an action [n, kind, arg] appended to the log sent as the component's state value
  "actions" ({"mount": id, "log": entries not yet acknowledged}); the state value then stays in
  every later rerun, as the browser's widget state does;
- while the payload says the view is running, the next payload is asked for with the trigger
  value "tick" (n = 1, 2, ...): at most one request outstanding (a new payload clears it, or it is
  sent again after 2 s), and at least controls.tick_ms (never under 100 ms) apart.

It never draws, and it does not claim any cached message, so the server sends everything in full.
Loopback benchmarks and tests only: it needs the app's own server, not a proxy.
"""

import asyncio
import json
import secrets
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

TICK_GAP = 0.1  # liveview.js TICK_GAP: the least time between two requests
TICK_TIMEOUT = 2.0  # liveview.js TICK_TIMEOUT: a request with no answer is sent again after this
TRIGGERS = "$$STREAMLIT_INTERNAL_KEY_{}__events"  # the component's trigger widget (bidi_component/main.py)


class LiveClient:
    """One browser session of the app, reduced to its live view's payloads; use inside an asyncio loop."""

    def __init__(self, base_url, query="", view="train", on_payload=None):
        self.url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.query = query
        self.suffix = f"-live_{view}"
        self.on_payload = on_payload  # called with every new payload (isolation checks)
        self.page_hash = ""
        self.component_id = None
        self.fragment_id = ""
        self.data = None  # the newest payload
        self.payloads = 0
        self.payload_bytes = 0
        self.runs_finished = 0
        self.exceptions = []  # texts of exception boxes the server sent
        self.mount = secrets.token_hex(8)
        self.log = []
        self.actions = 0
        self.state_json = None
        self.ticks = 0
        self.tick_at = -float("inf")
        self.waiting = False
        self.ws = None
        self._reader = None
        self._news = None

    # -- opening and closing -----------------------------------------------------------

    async def open(self, timeout=60.0):
        """Connect and load the link; seconds until the first run has finished with the live view in it."""
        started = time.perf_counter()
        self._news = asyncio.Event()
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout)
        self._reader = asyncio.create_task(self._read())
        await self._send()
        await self.wait(lambda: self.runs_finished and self.data is not None, timeout)
        return time.perf_counter() - started

    async def close(self):
        """Close the tab: the websocket goes, and with it the browser session."""
        if self.ws is not None:
            await self.ws.close()
            self.ws = None
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None

    # -- what the live view sends ---------------------------------------------------------

    async def act(self, kind, arg=None):
        """A click on the live view's controls: ["step", 1], ["run", None], ["run_to", 60000], ..."""
        acked = ((self.data or {}).get("controls") or {}).get("acked", {}).get(self.mount, 0)
        self.actions += 1
        self.log = [entry for entry in self.log if entry[0] > acked] + [[self.actions, kind, arg]]
        self.state_json = json.dumps({"actions": {"mount": self.mount, "log": self.log}})
        await self._send(fragment=True)

    async def follow(self, done, timeout):
        """Ask for payloads as the browser does while the view runs, until done(payload) holds; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._news.clear()  # before looking, so a message that arrives while sending still wakes us
            if done(self.data):
                return True
            now = loop.time()
            if now >= deadline:
                return False
            if self._reader.done():
                raise ConnectionError(f"{self.query}: the server closed the connection")
            controls = self.data.get("controls") or {}
            gap = max(TICK_GAP, (controls.get("tick_ms") or 0) / 1000)
            since = now - self.tick_at
            if controls.get("running") and since >= gap and (not self.waiting or since >= TICK_TIMEOUT):
                self.tick_at, self.waiting = now, True
                self.ticks += 1
                await self._send(fragment=True, tick=self.ticks)
                since = 0.0
            wait = min(deadline - now, max(0.005, gap - since) if not self.waiting else TICK_TIMEOUT - since)
            try:
                await asyncio.wait_for(self._news.wait(), max(0.005, wait))
            except TimeoutError:
                pass

    async def wait(self, condition, timeout):
        """Wait until condition() holds (checked after every message); raises TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._news.clear()
            if condition():
                return
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"{self.query}: timed out waiting")
            if self._reader.done():
                raise ConnectionError(f"{self.query}: the server closed the connection")
            try:
                await asyncio.wait_for(self._news.wait(), left)
            except TimeoutError:
                pass

    async def _send(self, fragment=False, tick=None):
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query
        rerun.page_script_hash = self.page_hash
        if fragment:
            rerun.fragment_id = self.fragment_id
        if self.state_json is not None:
            widget = rerun.widget_states.widgets.add()
            widget.id = self.component_id
            widget.json_value = self.state_json
        if tick is not None:
            widget = rerun.widget_states.widgets.add()
            widget.id = TRIGGERS.format(self.component_id)
            widget.json_trigger_value = json.dumps([{"event": "tick", "value": tick}])
        await self.ws.send(message.SerializeToString())

    # -- what comes back --------------------------------------------------------------------

    async def _read(self):
        try:
            async for raw in self.ws:
                self._take(raw)
                self._news.set()
        finally:
            self._news.set()

    def _take(self, raw):
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "navigation":
            self.page_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "script_finished":
            self.runs_finished += 1
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                self.exceptions.append(element.exception.message)
            elif which == "bidi_component" and element.bidi_component.id.endswith(self.suffix):
                self.component_id = element.bidi_component.id
                self.fragment_id = message.delta.fragment_id
                data = json.loads(element.bidi_component.json)
                if self.data is None or data.get("serial") != self.data.get("serial"):
                    self.waiting = False
                self.data = data
                self.payloads += 1
                self.payload_bytes += len(raw)
                if self.on_payload is not None:
                    self.on_payload(self, data)


# -- reading a payload ------------------------------------------------------------------------


def status(data, label):
    """The payload's status value labelled `label` (the newest frame's), or None."""
    return next((item["value"] for item in data.get("status", []) if item["label"] == label), None)


def newest_step(data):
    frames = data.get("frames") or []
    return frames[-1]["step"] if frames else None


def outputs(data):
    """{column: values} of the newest outputs table the payload carries (full precision)."""
    for frame in reversed(data.get("frames") or []):
        table = frame.get("charts", {}).get("outputs")
        if table:
            return table["columns"]
    return {}


def running(data):
    return bool((data.get("controls") or {}).get("running"))
