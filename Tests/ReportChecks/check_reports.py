#!/usr/bin/env python3
"""Checks switchpoint's exports (driven by Tests/SwitchpointIntegrationTests/ReportExportTests.swift).

  check_reports.py har  --har FILE --timeline JSONL... [--log LOG]
      HAR 1.2 schema (har-1.2.schema.json beside this file), haralyzer loading, and the
      entries, statuses, header lists and _webSocketMessages against the JSON timeline
      (and, with --log, against what the recording programs logged).
  check_reports.py html --html FILE --timeline JSONL... [--hostile]
      Headless Chromium (selenium): no console errors, no network requests, every
      connection in the table, each upgrade's switch band with its offsets, the severity
      filter, click-to-see details, no idle band over an interval in which the timeline
      shows bytes moving; --hostile: nothing from the wire executed.
  check_reports.py waterfall --html FILE --timeline JSONL --min-streams N
      Headless Chromium: each HTTP/2 connection's waterfall has one row per stream of the
      timeline, in start-time order, each bar where its request started; the bounding
      boxes (getBoundingClientRect) of every label and tick never overlap one another or
      a bar; clipped labels have the whole text in their row's tooltip.

Each --timeline is `switchpoint -r FILE --json --payload full` of one capture file, in the
order of the files (connections are labelled FILE:CONN). Exit status 0 when every check
holds; otherwise the failures are printed and the status is 1.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def load_timelines(paths):
    """Events of every file, each with `label` = FILE:CONN."""
    events = []
    for index, path in enumerate(paths, start=1):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                event = json.loads(line)
                if event.get("type") == "summary":
                    continue
                event["label"] = "%d:%d" % (index, event["conn"])
                events.append(event)
    return events


# ---------------------------------------------------------------- HAR

def expected_exchanges(events):
    """What the timeline says the HAR must hold: per connection label, the HTTP/1.x
    exchanges in order, the HTTP/2 streams by id, and WebSocket frames per channel."""
    http1 = {}
    streams = {}
    request_blocks = {}
    messages = {}
    for event in events:
        label = event["label"]
        kind = event["type"]
        if kind == "http.request":
            http1.setdefault(label, []).append({"method": event["method"], "target": event["target"],
                                                "version": event["version"], "headers": event["headers"], "status": None})
        elif kind == "http.response":
            status = event["status"]
            if 100 <= status < 200 and status != 101:
                continue
            pending = [x for x in http1.get(label, []) if x["status"] is None]
            if pending:
                pending[0]["status"] = status
                pending[0]["response_headers"] = event["headers"]
        elif kind == "h2.headers" and event.get("dir") == "c2s":
            request_blocks.setdefault((label, event["stream"]), event["headers"])
        elif kind == "h2.stream":
            streams[(label, event["stream"])] = {"status": event["status"], "method": event["method"], "path": event["path"],
                                                 "headers": request_blocks.get((label, event["stream"])),
                                                 "ttfb_ms": event.get("ttfb_ms")}
        elif kind in ("ws.message", "ws.ping", "ws.pong", "ws.close"):
            channel = (label, event.get("stream"))
            opcode = {"ws.ping": 9, "ws.pong": 10, "ws.close": 8}.get(kind, event.get("opcode"))
            if kind == "ws.message":
                if "text" in event:
                    data = event["text"].encode("utf-8")
                elif "data_b64" in event:
                    data = base64.b64decode(event["data_b64"])
                else:
                    data = None
            elif kind == "ws.close":
                data = event["reason"].encode("utf-8")
            else:
                data = event["payload"].encode("utf-8")
            messages.setdefault(channel, []).append({"type": "send" if event["dir"] == "c2s" else "receive",
                                                     "opcode": opcode, "data": data})
    return http1, streams, messages


def har_message_bytes(message):
    if message["opcode"] == 2:
        return base64.b64decode(message["data"])
    return message["data"].encode("utf-8")


def har_body(holder, key):
    """The kept bytes of a `content` or `postData` (`key` names the base64 flag: `encoding`
    in content, `_encoding` in postData) and whether only a prefix was kept."""
    text = holder.get("text", "")
    if holder.get(key) == "base64":
        data = base64.b64decode(text)
    else:
        data = text.encode("utf-8")
    return data, bool(holder.get("_switchpointTruncated"))


def entry_bodies(entry):
    """(request bytes, truncated, request size), (response bytes, truncated, response size)."""
    request = entry["request"]
    if "postData" in request:
        sent, sent_cut = har_body(request["postData"], "_encoding")
    else:
        sent, sent_cut = b"", False
    received, received_cut = har_body(entry["response"]["content"], "encoding")
    return (sent, sent_cut, request["bodySize"]), (received, received_cut, entry["response"]["content"]["size"])


def check_body_sizes(entries):
    """Each kept body is the whole body (as long as its size) or, marked truncated, a
    shorter prefix; a body with bytes has some kept (a gap at its start aside)."""
    for entry in entries:
        for what, (data, cut, size) in zip(("request", "response"), entry_bodies(entry)):
            url = entry["request"]["url"]
            if size is None or size <= 0:
                check(data == b"", "%s %s: body text without a body" % (url, what))
                continue
            if cut:
                check(len(data) < size, "%s %s: %d bytes marked truncated of %d" % (url, what, len(data), size))
            else:
                check(len(data) == size, "%s %s: %d body bytes kept, size %d, not marked truncated" % (url, what, len(data), size))


def check_body(entry, data, request, what):
    """A HAR body against the bytes the recording program served or sent."""
    (sent, sent_cut, _), (received, received_cut, _) = entry_bodies(entry)
    got, cut = (sent, sent_cut) if request else (received, received_cut)
    if cut:
        check(data.startswith(got) and len(got) < len(data), "%s: the kept prefix is not the start of the logged body" % what)
    else:
        check(got == data, "%s: body %r != logged %r" % (what, got[:80], data[:80]))


def check_har(args):
    from jsonschema import Draft202012Validator
    from haralyzer import HarParser

    with open(args.har, encoding="utf-8") as handle:
        har = json.load(handle)
    with open(os.path.join(HERE, "har-1.2.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(har), key=lambda e: list(e.path))
    for error in errors[:20]:
        check(False, "schema: %s at %s" % (error.message, "/".join(str(p) for p in error.path)))
    entries = har["log"]["entries"]
    for entry in entries:
        timings = entry["timings"]
        total = sum(v for k, v in timings.items() if k in ("blocked", "dns", "connect", "send", "wait", "receive") and v != -1)
        check(abs(entry["time"] - total) < 0.01, "entry time %s is not the sum of its timings %s" % (entry["time"], total))

    parser = HarParser.from_file(args.har)
    loaded = [e for page in parser.pages for e in page.entries]
    check(len(loaded) == len(entries), "haralyzer sees %d entries, the file has %d" % (len(loaded), len(entries)))
    for entry in loaded:
        check(entry.request.method != "" and entry.status == entry.response.status, "haralyzer entry %s" % entry.url)
        check(entry.startTime is not None, "haralyzer could not read startedDateTime of %s" % entry.url)

    events = load_timelines(args.timeline)
    http1, streams, messages = expected_exchanges(events)
    multi = len(args.timeline) > 1
    def label_of(entry):
        return entry["connection"] if multi else "1:" + entry["connection"]

    got_http1 = {}
    got_streams = {}
    got_messages = {}
    for entry in entries:
        label = label_of(entry)
        if "_stream" in entry:
            got_streams[(label, entry["_stream"])] = entry
            channel = (label, entry["_stream"])
        else:
            got_http1.setdefault(label, []).append(entry)
            channel = (label, None)
        got_messages.setdefault(channel, []).extend(entry.get("_webSocketMessages", []))
    # HTTP/1.x: same requests in order, same statuses, same header lists.
    check(sorted(got_http1) == sorted(http1), "HTTP/1.x connections: HAR %s, timeline %s" % (sorted(got_http1), sorted(http1)))
    for label, expected in http1.items():
        got = got_http1.get(label, [])
        if not check(len(got) == len(expected), "%s: %d HTTP/1.x entries, timeline has %d requests" % (label, len(got), len(expected))):
            continue
        for entry, want in zip(got, expected):
            request = entry["request"]
            check(request["method"] == want["method"], "%s: method %s != %s" % (label, request["method"], want["method"]))
            check(request["url"].endswith(want["target"]) or request["url"] == want["target"], "%s: url %s does not end with %s" % (label, request["url"], want["target"]))
            check(request["httpVersion"] == want["version"], "%s: version %s" % (label, request["httpVersion"]))
            check([[h["name"], h["value"]] for h in request["headers"]] == want["headers"], "%s: request headers differ" % label)
            status = entry["response"]["status"]
            check(status == (want["status"] or 0), "%s: status %s != %s" % (label, status, want["status"]))
            if want["status"] is not None:
                check([[h["name"], h["value"]] for h in entry["response"]["headers"]] == want["response_headers"], "%s: response headers differ" % label)
    # HTTP/2 streams.
    check(sorted(got_streams) == sorted(streams), "HTTP/2 streams: HAR %s, timeline %s" % (sorted(got_streams), sorted(streams)))
    for key, want in streams.items():
        entry = got_streams.get(key)
        if entry is None:
            continue
        check(entry["request"]["httpVersion"] == "HTTP/2.0", "%s: httpVersion %s" % (key, entry["request"]["httpVersion"]))
        check(entry["response"]["status"] == (want["status"] or 0), "%s: status %s != %s" % (key, entry["response"]["status"], want["status"]))
        check(entry["request"]["method"] == (want["method"] or ""), "%s: method" % (key,))
        if want["headers"] is not None:
            check([[h["name"], h["value"]] for h in entry["request"]["headers"]][:len(want["headers"])] == want["headers"], "%s: request headers differ" % (key,))
        # wait is the time to the response head, as the timeline's ttfb (h2c's stream 1
        # included: its request is the HTTP/1.1 one that asked for the upgrade).
        if want["ttfb_ms"] is not None:
            check(abs(entry["timings"]["wait"] - want["ttfb_ms"]) <= 0.001,
                  "%s: timings.wait %s != timeline ttfb %s ms" % (key, entry["timings"]["wait"], want["ttfb_ms"]))
    # WebSocket entries are named as browsers name them.
    for entry in entries:
        if entry.get("_resourceType") == "websocket":
            check(entry["request"]["url"].startswith(("ws://", "wss://")), "WebSocket entry %s is not ws:// or wss://" % entry["request"]["url"])
    # WebSocket messages: count, direction, opcode, payload.
    check(sorted(k for k, v in got_messages.items() if v) == sorted(messages), "WebSocket channels: HAR %s, timeline %s" % (sorted(k for k, v in got_messages.items() if v), sorted(messages)))
    for channel, want in messages.items():
        got = got_messages.get(channel, [])
        if not check(len(got) == len(want), "%s: %d messages, timeline %d" % (channel, len(got), len(want))):
            continue
        for index, (message, expected) in enumerate(zip(got, want)):
            check(message["type"] == expected["type"] and message["opcode"] == expected["opcode"],
                  "%s #%d: %s/%s != %s/%s" % (channel, index, message["type"], message["opcode"], expected["type"], expected["opcode"]))
            if expected["data"] is not None:
                data = har_message_bytes(message)
                if message.get("_truncated"):
                    check(expected["data"].startswith(data), "%s #%d: truncated payload is not a prefix" % (channel, index))
                else:
                    check(data == expected["data"], "%s #%d: payload differs" % (channel, index))
    check_body_sizes(entries)
    if args.log:
        check_against_log(entries, args.log)
    return len(entries), sum(len(v) for v in got_messages.values())


def check_against_log(entries, path):
    """What the recording programs logged: websockets peers' frame logs (layered or flat),
    the proxy samples' client/backend logs, curl's --write-out lines."""
    with open(path, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    if any("who" in record for record in records):
        return check_against_proxy_log(entries, records)
    if any(record.get("tool") == "curl" for record in records):
        return check_against_curl_log(entries, records)
    return check_against_frame_log(entries, path)


def headers_of(message):
    return [[h["name"], h["value"]] for h in message["headers"]]


def compare_messages(got, want, what):
    """HAR messages against logged (direction, opcode, len, text) tuples, per direction."""
    for direction in ("send", "receive"):
        mine = [m for m in got if m["type"] == direction]
        theirs = [w for w in want if w[0] == direction]
        if not check(len(mine) == len(theirs), "%s: %d %s messages in the HAR, %d logged" % (what, len(mine), direction, len(theirs))):
            continue
        for index, (message, (_, opcode, length, text)) in enumerate(zip(mine, theirs)):
            check(message["opcode"] == opcode, "%s: %s #%d opcode %s != %s" % (what, direction, index, message["opcode"], opcode))
            if opcode in (1, 2) and length is not None:
                check(message.get("_length", len(har_message_bytes(message))) == length, "%s: %s #%d length" % (what, direction, index))
            if opcode == 1 and text is not None:
                check(message["data"].startswith(text), "%s: %s #%d text" % (what, direction, index))


def check_against_proxy_log(entries, records):
    """samples/proxy logs: the client's handshake and frames per client connection, the
    backend's request, response and frames per upstream connection."""
    opcodes = {"text": 1, "binary": 2, "ping": 9, "pong": 10, "close": 8}
    def entry_with_request(headers):
        found = [e for e in entries if headers_of(e["request"]) == headers]
        check(len(found) >= 1, "no HAR entry carries the logged request headers %s" % headers)
        # Without a proxy both peers log the same request: one entry answers both.
        check(len({e["connection"] for e in found}) == 1, "the logged request headers match several connections")
        return found[0] if found else None
    # The client side: the websockets client's handshakes and curl's exchanges; the
    # upstream side: the backend (behind the proxy) or the server (no proxy).
    handshakes = {r["conn"]: r for r in records if (r.get("who"), r.get("event")) in (("client", "handshake"), ("curl", "curl"))}
    upstream = ("backend", "server")
    requests = {r["conn"]: r for r in records if r.get("who") in upstream and r.get("event") == "request"}
    responses = {r["conn"]: r for r in records if r.get("who") in upstream and r.get("event") == "response"}
    for conn, handshake in handshakes.items():
        entry = entry_with_request(handshake["request_headers"])
        if entry is None:
            continue
        if "status" in handshake:
            check(entry["response"]["status"] == handshake["status"], "client %s: status" % conn)
            check(headers_of(entry["response"]) == handshake["response_headers"], "client %s: response headers differ from the client's log" % conn)
        if "body" in handshake:
            check_body(entry, handshake["body"].encode("utf-8"), False, "client %s response" % conn)
        frames = [(r["dir"] == "send" and "send" or "receive", opcodes[r["type"]], r.get("len"), r.get("text"))
                  for r in records if r.get("who") == "client" and r.get("event") == "frame" and r.get("conn") == conn and r.get("type") in opcodes]
        compare_messages(entry.get("_webSocketMessages", []), frames, "client %s" % conn)
    for conn, request in requests.items():
        entry = entry_with_request(request["headers"])
        if entry is None:
            continue
        check(entry["request"]["method"] + " " in request["request_line"], "backend %s: request line" % conn)
        if conn in responses:
            check(entry["response"]["status"] == responses[conn]["status"], "backend %s: status" % conn)
            check(headers_of(entry["response"]) == responses[conn]["headers"], "backend %s: response headers differ from the backend's log" % conn)
            if "body" in responses[conn]:
                # The refusal's text (400/426/505 from the backend): the evidence in the HAR.
                check_body(entry, responses[conn]["body"].encode("utf-8"), False, "backend %s response" % conn)
        # The backend receives what the client side sent: its recv is the HAR's send.
        frames = [(r["dir"] == "recv" and "send" or "receive", opcodes[r["type"]], r.get("len"), r.get("text"))
                  for r in records if r.get("who") in upstream and r.get("event") == "frame" and r.get("conn") == conn and r.get("type") in opcodes]
        compare_messages(entry.get("_webSocketMessages", []), frames, "backend %s" % conn)
    check(handshakes or requests, "the proxy log holds no handshake")


def check_against_curl_log(entries, records):
    """curl's --write-out: each URL's status and downloaded size."""
    for record in records:
        if record.get("tool") != "curl":
            continue
        found = [e for e in entries if e["request"]["url"] == record["url"] and e["request"]["method"] == record["method"]
                 and e["response"]["status"] == record["http_code"]]
        if check(len(found) >= 1, "no HAR entry for curl's %s %s %s" % (record["method"], record["url"], record["http_code"])):
            check(any(e["response"]["content"]["size"] == record["size_download"] for e in found),
                  "%s: no entry with curl's %d bytes downloaded (%s)" % (record["url"], record["size_download"], [e["response"]["content"]["size"] for e in found]))
            # The bodies curl received and uploaded, by their SHA-256. A HAR written with
            # --payload preview keeps only prefixes of the larger ones: those cannot be
            # hashed, so then a kept prefix is all that is required.
            for side, key, what in ((1, "body_sha256", "received"), (0, "upload_sha256", "uploaded")):
                if not record.get(key) or (side == 0 and not record.get("size_upload")):
                    continue
                bodies = [entry_bodies(e)[side] for e in found]
                whole = [hashlib.sha256(data).hexdigest() for data, cut, _ in bodies if not cut]
                if whole or not any(cut and data for data, cut, _ in bodies):
                    check(record[key] in whole, "%s: no entry holds the body curl %s (sha256 %s)" % (record["url"], what, record[key]))


def check_against_frame_log(entries, path):
    """The client's own log of what it sent and received."""
    sent = {"send": [], "receive": []}
    for entry in entries:
        for message in entry.get("_webSocketMessages", []):
            sent[message["type"]].append(message)
    logged = {"send": [], "receive": []}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("side") != "client":
                continue
            kind = record.get("type")
            layer = record.get("layer")
            direction = {"send": "send", "recv": "receive"}.get(record.get("dir"))
            if direction is None:
                continue
            opcode = {"text": 1, "binary": 2, "ping": 9, "pong": 10, "close": 8}.get(kind)
            if opcode is None:
                continue
            # Layered logs have whole messages (ws-message) and frames (ws-frame, for the
            # control frames); the flat log (ws-echo-veth.log) has one line per frame.
            if layer == "ws-message" or (layer == "ws-frame" and opcode >= 8) or (layer is None):
                logged[direction].append((opcode, record))
    for direction in ("send", "receive"):
        got = sent[direction]
        want = logged[direction]
        if not check(len(got) == len(want), "log: %d %s messages in the HAR, the client logged %d" % (len(got), direction, len(want))):
            continue
        for index, (message, (opcode, record)) in enumerate(zip(got, want)):
            check(message["opcode"] == opcode, "log: %s #%d opcode %s != %s" % (direction, index, message["opcode"], opcode))
            if opcode in (1, 2):
                length = message.get("_length", len(har_message_bytes(message)))
                check(length == record["len"], "log: %s #%d length %s != %s" % (direction, index, length, record["len"]))
                if "sha256" in record and not message.get("_truncated"):
                    check(hashlib.sha256(har_message_bytes(message)).hexdigest() == record["sha256"], "log: %s #%d sha256 differs" % (direction, index))
                if opcode == 1 and "text" in record:
                    check(message["data"].startswith(record["text"]), "log: %s #%d text differs" % (direction, index))


# ---------------------------------------------------------------- HTML

def browser():
    # Selenium's manager would otherwise try to send usage statistics over the network.
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    binary = "/usr/bin/chromium"
    if os.path.exists(binary):
        options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    return driver


def check_html(args):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    events = load_timelines(args.timeline)
    labels = sorted({e["label"] for e in events if e["type"] == "conn.open"})
    upgrades = [e for e in events if e["type"] == "upgrade"]
    worst = {}
    rank = {"info": 1, "warn": 2, "error": 3}
    for event in events:
        if event["type"] == "finding":
            worst[event["label"]] = max(worst.get(event["label"], 0), rank[event["severity"]])
    url = "file://" + os.path.abspath(args.html)
    driver = browser()
    try:
        driver.get(url)
        try:
            alert = driver.switch_to.alert
            check(False, "an alert opened: %r" % alert.text)
            alert.dismiss()
        except NoAlertPresentException:
            pass
        console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR", "WARNING")]
        check(not console, "console messages: %s" % console)
        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                requested = message["params"]["request"]["url"]
                if requested != url:
                    requests.append(requested)
        check(not requests, "network requests: %s" % requests)
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        check(resources == [], "resource timing entries: %s" % resources)
        rows = driver.find_elements(By.CSS_SELECTOR, "#conn-table tbody tr")
        row_labels = sorted(row.get_attribute("data-conn") for row in rows)
        check(row_labels == labels, "table rows %s, timeline connections %s" % (row_labels, labels))
        # Audit: the leg's file comes from the report's own labels, so also compare counts.
        for upgrade in upgrades:
            selector = 'g.switch-band[data-conn="%s"][data-c2s-offset="%d"][data-s2c-offset="%d"]' % (
                upgrade["label"], upgrade["c2s_offset"], upgrade["s2c_offset"])
            bands = driver.find_elements(By.CSS_SELECTOR, selector)
            if check(len(bands) == 1, "no switch band %s" % selector):
                band = bands[0]
                check(band.is_displayed(), "switch band of %s is not shown" % upgrade["label"])
                text = band.text
                check("c2s @%d" % upgrade["c2s_offset"] in text and "s2c @%d" % upgrade["s2c_offset"] in text,
                      "switch band text %r lacks the offsets" % text)
        all_bands = driver.find_elements(By.CSS_SELECTOR, "g.switch-band")
        check(len(all_bands) == len(upgrades), "%d switch bands, %d upgrades" % (len(all_bands), len(upgrades)))
        # Severity filter: each level shows exactly the connections with a finding that bad.
        severity = Select(driver.find_element(By.ID, "filter-severity"))
        # The audit's own findings (switchpoint audit --json) count for both legs they name.
        audit_rank = {}
        if args.audit_json:
            with open(args.audit_json, encoding="utf-8") as handle:
                for line in handle:
                    record = json.loads(line)
                    if record.get("type") != "audit.finding":
                        continue
                    for label in (record.get("front"), record.get("back")):
                        if label:
                            audit_rank[label] = max(audit_rank.get(label, 0), rank[record["severity"]])
        for level in (3, 2, 1, 0):
            severity.select_by_value(str(level))
            shown = sorted(row.get_attribute("data-conn") for row in rows if row.is_displayed())
            expected = sorted(label for label in labels if max(worst.get(label, 0), audit_rank.get(label, 0)) >= level)
            check(shown == expected, "severity >= %d shows %s, expected %s" % (level, shown, expected))
            check(driver.find_element(By.ID, "shown-count").text == str(len(expected)), "shown count at severity %d" % level)
            for row in rows:
                article = driver.find_element(By.ID, row.get_attribute("data-target")) if driver.find_elements(By.ID, row.get_attribute("data-target")) else None
                if article is not None and row.is_displayed():
                    check(article.is_displayed(), "the diagram of %s is hidden while its row is shown" % row.get_attribute("data-conn"))
        if not args.audit:
            # Every connection recorded in detail has its diagram (the audit draws pairs).
            for label in labels:
                file, conn = label.split(":")
                check(driver.find_elements(By.ID, "c-%s-%s" % (file, conn)) != [], "no diagram for %s" % label)
        # Text filter and sorting.
        text = driver.find_element(By.ID, "filter-text")
        text.send_keys("no-such-connection-text")
        check(all(not row.is_displayed() for row in rows), "text filter shows rows that do not match")
        text.clear()
        text.send_keys(" ")
        text.clear()
        driver.execute_script("document.getElementById('filter-text').dispatchEvent(new Event('input'));")
        header = driver.find_elements(By.CSS_SELECTOR, "#conn-table thead th")[0]
        header.click()
        header.click()
        order = [row.get_attribute("data-conn") for row in driver.find_elements(By.CSS_SELECTOR, "#conn-table tbody tr")]
        check(len(order) == len(labels), "sorting lost rows")
        # Click-to-see: the first clickable arrow shows its detail.
        clickable = driver.find_elements(By.CSS_SELECTOR, "[data-detail]")
        if clickable:
            target = clickable[0].get_attribute("data-detail")
            driver.execute_script("arguments[0].scrollIntoView();", clickable[0])
            driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", clickable[0])
            check(driver.find_element(By.ID, target).is_displayed(), "clicking an arrow did not show its detail")
        check_idle_bands(driver, events)
        if args.hostile:
            check_hostile(driver, By)
        if args.screenshot:
            driver.execute_script("window.scrollTo(0, 0);")
            height = driver.execute_script("return document.documentElement.scrollHeight;")
            driver.set_window_size(1400, min(max(height, 1000), 2200))
            driver.save_screenshot(args.screenshot)
        console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR", "WARNING")]
        check(not console, "console messages after interaction: %s" % console)
    finally:
        driver.quit()
    return len(labels), len(upgrades)


# Events that say bytes moved on a connection (the idle bands must not cover them).
MOVING = ("h2.frame", "ws.frame", "ws.message", "raw.data", "http.body")


def event_ns(event):
    """An event's time in nanoseconds since the epoch (the JSON `ts` has microseconds)."""
    return int(round(float(event["ts"]) * 1e6)) * 1000


def check_idle_bands(driver, events):
    """Every band the diagram labels idle covers an interval in which the timeline shows
    no frame, message, raw chunk or body on the article's connections."""
    bands = driver.execute_script("""
        return Array.prototype.map.call(document.querySelectorAll('g.idle:not(.busy)'), function (g) {
          return [g.closest('article').getAttribute('data-conns'), g.getAttribute('data-after-ns'),
                  g.getAttribute('data-before-ns'), g.textContent];
        });""")
    moving = {}
    for event in events:
        if event["type"] in MOVING:
            moving.setdefault(event["label"], []).append(event_ns(event))
    for conns, after, before, text in bands:
        if not check(conns and after and before, "idle band %r without its connections and interval" % text):
            continue
        # The JSON times are rounded to the microsecond: an event within 1 µs of an end is that end.
        low, high = int(after) + 1000, int(before) - 1000
        for label in conns.split(" "):
            inside = [t for t in moving.get(label, []) if low < t < high]
            check(not inside, "%s: %r drawn while %d frames/messages moved in it" % (label, text.strip(), len(inside)))
    return len(bands)


def stream_starts(events):
    """When each HTTP/2 stream's request started, per connection label: its first HEADERS
    from the client; h2c's stream 1, the HTTP/1.1 request that asked for the upgrade."""
    opened = {}
    starts = {}
    requests = {}
    ended = {}
    for event in events:
        label = event["label"]
        kind = event["type"]
        if kind == "conn.open":
            opened[label] = event_ns(event)
        elif kind == "http.request":
            requests[label] = event_ns(event)
        elif kind == "h2.headers" and event.get("dir") == "c2s":
            starts.setdefault((label, event["stream"]), event_ns(event))
        elif kind == "h2.stream":
            ended[(label, event["stream"])] = event
    for (label, stream) in ended:
        if (label, stream) not in starts and stream == 1 and label in requests:
            starts[(label, stream)] = requests[label]
    return opened, starts, ended


def rects_overlap(a, b, tolerance=0.5):
    return (a["left"] < b["right"] - tolerance and b["left"] < a["right"] - tolerance and
            a["top"] < b["bottom"] - tolerance and b["top"] < a["bottom"] - tolerance)


def overlapping_pairs(boxes):
    """Pairs of boxes that overlap (a sweep over their tops)."""
    ordered = sorted(boxes, key=lambda box: box["top"])
    pairs = []
    for index, box in enumerate(ordered):
        for other in ordered[index + 1:]:
            if other["top"] >= box["bottom"] - 0.5:
                break
            if rects_overlap(box, other):
                pairs.append((box, other))
    return pairs


WATERFALL_LAYOUT = """
    var box = function (element, kind, row) {
      var r = element.getBoundingClientRect();
      return {kind: kind, row: row, text: element.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
              clipped: element.scrollWidth > element.clientWidth + 1};
    };
    return Array.prototype.map.call(document.querySelectorAll('div.waterfall'), function (waterfall) {
      var rows = Array.prototype.map.call(waterfall.querySelectorAll('tr.wf-row'), function (row, index) {
        var bar = row.querySelector('svg.wf-timeline rect');
        var wait = row.querySelector('svg.wf-timeline rect.wf-wait');
        var svg = row.querySelector('svg.wf-timeline');
        return {stream: parseInt(row.getAttribute('data-stream'), 10), start: parseInt(row.getAttribute('data-start-ns'), 10),
                end: parseInt(row.getAttribute('data-end-ns'), 10), title: row.getAttribute('title'),
                labels: Array.prototype.map.call(row.querySelectorAll('.wf-label'), function (cell) { return box(cell, 'label', index); }),
                bar: bar ? box(bar, 'bar', index) : null, wait: wait ? box(wait, 'wait', index) : null,
                receiving: row.querySelector('svg.wf-timeline rect.wf-receive') !== null, svgLeft: svg ? svg.getBoundingClientRect().left : null,
                svgWidth: svg ? svg.getBoundingClientRect().width : null};
      });
      var ticks = Array.prototype.map.call(waterfall.querySelectorAll('.wf-tick'), function (tick) { return box(tick, 'tick', -1); });
      return {conn: waterfall.getAttribute('data-conn'), origin: waterfall.getAttribute('data-origin-ns'), rows: rows, ticks: ticks};
    });
"""


def check_waterfall(args):
    """The HTTP/2 waterfalls: rows, order, bar positions and label boxes (module docstring)."""
    events = load_timelines(args.timeline)
    opened, starts, ended = stream_starts(events)
    driver = browser()
    try:
        driver.get("file://" + os.path.abspath(args.html))
        console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR", "WARNING")]
        check(not console, "console messages: %s" % console[:3])
        waterfalls = driver.execute_script(WATERFALL_LAYOUT)
        idle = check_idle_bands(driver, events)
    finally:
        driver.quit()
    labels_with_streams = sorted({label for (label, _) in ended})
    check(sorted(w["conn"] for w in waterfalls) == labels_with_streams,
          "waterfalls for %s, HTTP/2 connections with streams %s" % (sorted(w["conn"] for w in waterfalls), labels_with_streams))
    most = 0
    measured = 0
    for waterfall in waterfalls:
        label = waterfall["conn"]
        rows = waterfall["rows"]
        most = max(most, len(rows))
        want = sorted(stream for (conn, stream) in ended if conn == label)
        check(sorted(row["stream"] for row in rows) == want, "%s: waterfall streams %s, timeline %s" % (label, sorted(row["stream"] for row in rows), want))
        # Rows in start-time order, each bar where its stream ran; times count from the
        # waterfall's time zero (the sequence diagram's first item), never before the
        # connection opened.
        origin = int(waterfall["origin"] or 0)
        check(origin >= opened.get(label, 0) - 1000, "%s: the waterfall's time zero is before the connection opened" % label)
        previous = None
        for row in rows:
            key = (label, row["stream"])
            if key in starts:
                expected = starts[key] - origin
                check(abs(row["start"] - expected) <= 1000,
                      "%s stream %d: starts at +%d ns, the timeline's request at +%d ns" % (label, row["stream"], row["start"], expected))
            if previous is not None:
                check((previous["start"], previous["stream"]) <= (row["start"], row["stream"]),
                      "%s: stream %d (+%d ns) drawn after stream %d (+%d ns)" % (label, row["stream"], row["start"], previous["stream"], previous["start"]))
                if previous["bar"] and row["bar"]:
                    check(previous["bar"]["left"] <= row["bar"]["left"] + 0.01,
                          "%s: stream %d's bar starts left of stream %d's above it" % (label, row["stream"], previous["stream"]))
                    check(previous["bar"]["bottom"] <= row["bar"]["top"] + 0.5,
                          "%s: the bars of streams %d and %d share a row" % (label, previous["stream"], row["stream"]))
            previous = row
            if check(row["bar"] is not None, "%s stream %d: no bar" % (label, row["stream"])):
                span = max(r["end"] for r in rows) or 1
                x = row["svgLeft"] + row["start"] / span * row["svgWidth"]
                check(abs(row["bar"]["left"] - x) <= 1.0, "%s stream %d: bar at %.1f px, its start at %.1f px" % (label, row["stream"], row["bar"]["left"], x))
                # The lighter part is the time to first byte, as the timeline measured it.
                ttfb = ended.get(key, {}).get("ttfb_ms")
                if ttfb is not None and row["receiving"]:
                    expected = ttfb * 1e6 / span * row["svgWidth"]
                    drawn = (row["wait"]["right"] - row["wait"]["left"]) if row["wait"] else 0.0
                    check(abs(drawn - expected) <= 1.0, "%s stream %d: waiting drawn %.1f px wide, ttfb %.3f ms is %.1f px" % (label, row["stream"], drawn, ttfb, expected))
            for cell in row["labels"]:
                check(cell["right"] - cell["left"] > 0 and cell["bottom"] - cell["top"] > 0, "%s stream %d: label %r has no box" % (label, row["stream"], cell["text"]))
                if cell["clipped"] or cell["text"].endswith("…"):
                    check(cell["text"].rstrip("…") in (row["title"] or ""),
                          "%s stream %d: clipped label %r not whole in the tooltip" % (label, row["stream"], cell["text"]))
        boxes = waterfall["ticks"] + [cell for row in rows for cell in row["labels"]] + [row["bar"] for row in rows if row["bar"]]
        measured += len(boxes)
        for a, b in overlapping_pairs(boxes)[:20]:
            check(False, "%s: %s %r (row %d, %.1f..%.1f × %.1f..%.1f) overlaps %s %r (row %d, %.1f..%.1f × %.1f..%.1f)" % (
                label, a["kind"], a["text"], a["row"], a["left"], a["right"], a["top"], a["bottom"],
                b["kind"], b["text"], b["row"], b["left"], b["right"], b["top"], b["bottom"]))
    check(most >= args.min_streams, "the largest waterfall has %d rows, expected at least %d" % (most, args.min_streams))
    return "%d waterfalls, %d rows in the largest, %d boxes measured, none overlapping; %d idle bands checked" % (
        len(waterfalls), most, measured, idle)


def check_hostile(driver, By):
    """Nothing from the wire runs: no extra script, no handler attribute, no link out,
    no marker variable set, and the hostile text is shown as text."""
    check(driver.execute_script("return document.scripts.length;") == 1, "more than the report's own script element")
    check(driver.execute_script("return typeof window.__pwned;") == "undefined", "a hostile payload ran")
    handlers = driver.execute_script("""
        var found = [];
        document.querySelectorAll('*').forEach(function (element) {
          Array.prototype.forEach.call(element.attributes, function (attribute) {
            if (attribute.name.toLowerCase().indexOf('on') === 0) { found.push(element.tagName + ' ' + attribute.name); }
          });
        });
        return found;""")
    check(handlers == [], "event handler attributes: %s" % handlers)
    links = driver.execute_script("return Array.prototype.map.call(document.querySelectorAll('[href],[src],[action],[formaction],[xlink\\\\:href]'), function (e) { return e.getAttribute('href') || e.getAttribute('src') || 'other'; });")
    check(all(link.startswith("#c-") or link.startswith("#p-") for link in links), "links or sources from the wire: %s" % links)
    elements = driver.execute_script("return Array.prototype.map.call(document.querySelectorAll('img,iframe,object,embed,foreignObject,image,use,a[href^=\"javascript\"],svg script,meta[http-equiv=refresh]'), function (e) { return e.tagName; });")
    check(elements == [], "elements from the wire: %s" % elements)
    text = driver.execute_script("return document.body.textContent;")
    for marker in ("<script>window.__pwned=1</script>", "</svg>", "javascript:window.__pwned=4", "onerror="):
        check(marker in text, "the hostile text %r is not shown as text" % marker)
    # Every detail opened: still nothing runs.
    driver.execute_script("document.querySelectorAll('pre.detail').forEach(function (pre) { pre.hidden = false; });")
    check(driver.execute_script("return typeof window.__pwned;") == "undefined", "a hostile payload ran after the details opened")


def check_load(args):
    """How long Chromium takes to load the page and run its script (a large report)."""
    import time
    driver = browser()
    try:
        started = time.monotonic()
        driver.get("file://" + os.path.abspath(args.html))
        rows = driver.execute_script("return document.querySelectorAll('#conn-table tbody tr').length;")
        elapsed = time.monotonic() - started
        console = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR", "WARNING")]
        check(not console, "console messages: %s" % console[:3])
        check(elapsed <= args.max_seconds, "loading took %.1f s, over %.1f s" % (elapsed, args.max_seconds))
    finally:
        driver.quit()
    return "%d bytes, %d rows, loaded in %.2f s" % (os.path.getsize(args.html), rows, elapsed)


def take_screenshot(args):
    """The page as a reader first sees it, with one message's detail open (docs/)."""
    from selenium.webdriver.common.by import By
    driver = browser()
    try:
        driver.get("file://" + os.path.abspath(args.html))
        messages = driver.find_elements(By.CSS_SELECTOR, ".msg.ws[data-detail]")
        if messages:
            item = messages[min(args.open_detail, len(messages) - 1)]
            driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", item)
        # The window's outer size includes its frame: grow until the page fits or the cap.
        driver.set_window_size(1280, args.max_height)
        height = driver.execute_script("return document.documentElement.scrollHeight;")
        inner = driver.execute_script("return window.innerHeight;")
        driver.set_window_size(1280, min(max(height, 800) + (args.max_height - inner), args.max_height))
        driver.execute_script("window.scrollTo(0, 0);")
        driver.save_screenshot(args.screenshot)
    finally:
        driver.quit()
    return "screenshot " + args.screenshot


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["har", "html", "waterfall", "load", "screenshot"])
    parser.add_argument("--min-streams", type=int, default=1)
    parser.add_argument("--har")
    parser.add_argument("--html")
    parser.add_argument("--timeline", action="append", default=[])
    parser.add_argument("--max-seconds", type=float, default=10)
    parser.add_argument("--log")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--audit", action="store_true")
    parser.add_argument("--audit-json", help="switchpoint audit --json of the same files")
    parser.add_argument("--screenshot")
    parser.add_argument("--open-detail", type=int, default=0)
    parser.add_argument("--max-height", type=int, default=1800)
    args = parser.parse_args()
    if args.mode == "har":
        entries, messages = check_har(args)
        summary = "%d entries, %d WebSocket messages" % (entries, messages)
    elif args.mode == "screenshot":
        summary = take_screenshot(args)
    elif args.mode == "waterfall":
        summary = check_waterfall(args)
    elif args.mode == "load":
        summary = check_load(args)
    else:
        connections, upgrades = check_html(args)
        summary = "%d connections, %d switch bands" % (connections, upgrades)
    if failures:
        for failure in failures:
            print("FAIL " + failure)
        return 1
    print("ok: " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
