#!/usr/bin/env python3
"""Mixpanel-compatible HTTP server for the API client tests.

Serves `GET /api/2.0/export` from fixture NDJSON files and accepts
`POST /import` with strict validation, following Mixpanel's documented
request and response formats. Accepted events are stored deduplicated by
(event, distinct_id, time, $insert_id), and every received copy is counted,
so that a test can assert that each event arrived exactly once.

Faults are injected through a control API on the same port:

    POST /_test/faults   {"rules": [{"path": "/import", "kind": "429",
                          "retry_after": 1, "count": 2}]}
    POST /_test/config   {"max_body_bytes": 5000}
    POST /_test/reset    forget imported events, counters and rules
    GET  /_test/events   stored imported events as NDJSON
    GET  /_test/stats    request counters and the request log as JSON

Fault kinds: "429" (with optional "retry_after" seconds), "500", "502",
"403", "slow" ("delay_ms"), "drop" (export: cut the body half way. Import:
close before responding, or after storing with "after_store"),
"terminated" (export: append "export terminated early"),
"failed_records" (import: reject the first "failed" events of a batch;
"id_key" and "with_index" shape the items),
"echo_auth" (500 whose message repeats the credentials), "undercount"
(import: store every event but report one fewer as imported). A rule applies to
the next "count" requests on "path" after skipping "skip" of them, to a
random "fraction" of them, or to all of them when neither is given.

The server binds 127.0.0.1 only. It prints the chosen port on the first
line of stdout, then serves until it is terminated.
"""

import argparse
import base64
import datetime
import gzip
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import where_expression

MAX_BATCH_EVENTS = 2000
MAX_EVENT_BYTES = 1024 * 1024
MAX_PROPERTIES = 255
MAX_EXPORT_LIMIT = 100000
GZIP_THRESHOLD_BYTES = 1400
MIN_EVENT_TIME_S = 31536000  # 1971-01-01T00:00:00Z
INSERT_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,36}$")
PLACEHOLDER_IDS = {
    "00000000-0000-0000-0000-000000000000", "anon", "anonymous", "nil",
    "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1",
    "true", "false", "[]", "{}",
}
FAULT_KINDS = {"429", "500", "502", "403", "slow", "drop", "terminated",
               "failed_records", "echo_auth", "undercount"}


def event_time_seconds(value):
    """Returns epoch seconds from a `time` given in seconds or milliseconds."""
    if value > 1e11:
        return value / 1000.0
    return float(value)


def utc_day(seconds):
    return datetime.datetime.fromtimestamp(
        int(seconds // 1), tz=datetime.timezone.utc).date()


def dedup_key(event):
    properties = event.get("properties", {})
    return json.dumps([event.get("event"), properties.get("distinct_id"),
                       properties.get("time"), properties.get("$insert_id")],
                      sort_keys=True)


class FaultRule:
    """One injected fault, applied to the next `count` matching requests or
    to a random `fraction` of them."""

    def __init__(self, spec):
        self.path = spec.get("path", "")
        self.kind = str(spec["kind"])
        if self.kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r" % self.kind)
        self.count = spec.get("count")
        self.fraction = spec.get("fraction")
        self.retry_after = spec.get("retry_after")
        self.delay_ms = int(spec.get("delay_ms", 0))
        self.failed = int(spec.get("failed", 1))
        self.after_store = bool(spec.get("after_store", False))
        self.skip = int(spec.get("skip", 0))
        # Shape of failed_records items: the docs use "$insert_id", the
        # OpenAPI schema "insert_id"; "with_index": false drops "index".
        self.id_key = spec.get("id_key", "$insert_id")
        self.with_index = bool(spec.get("with_index", True))

    def take(self, path, rng):
        if self.path and not path.startswith(self.path):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
            return True
        if self.fraction is not None:
            return rng.random() < float(self.fraction)
        return True


class ServerState:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.fixture_events = load_fixtures(args.data)
        self.max_body_bytes = args.max_body_bytes
        self.state_path = None
        if args.state:
            os.makedirs(args.state, exist_ok=True)
            self.state_path = os.path.join(args.state, "imported.ndjson")
        self.reset()
        self.load_state()

    def reset(self):
        self.rules = []
        self.imported = {}
        self.received = {}
        self.requests = {}
        self.statuses = {}
        self.log = []
        self.received_events = 0

    def load_state(self):
        if not self.state_path or not os.path.exists(self.state_path):
            return
        with open(self.state_path, "rb") as stream:
            for line in stream:
                if line.strip():
                    event = json.loads(line)
                    self.imported[dedup_key(event)] = event

    def store(self, events):
        """Stores accepted events; returns how many were new."""
        new_lines = []
        with self.lock:
            for event in events:
                key = dedup_key(event)
                self.received[key] = self.received.get(key, 0) + 1
                self.received_events += 1
                if key not in self.imported:
                    self.imported[key] = event
                    new_lines.append(json.dumps(event) + "\n")
            if self.state_path and new_lines:
                with open(self.state_path, "a", encoding="utf-8") as stream:
                    stream.writelines(new_lines)
        return len(new_lines)

    def take_fault(self, path):
        with self.lock:
            for rule in self.rules:
                if rule.take(path, self.rng):
                    return rule
        return None

    def record(self, path, status, started):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            key = "%s %d" % (path, status)
            self.statuses[key] = self.statuses.get(key, 0) + 1
            self.log.append({"path": path, "status": status,
                             "start": started, "end": time.monotonic()})

    def stats(self):
        with self.lock:
            duplicates = sum(n - 1 for n in self.received.values() if n > 1)
            return {"requests": self.requests, "statuses": self.statuses,
                    "received_events": self.received_events,
                    "stored_events": len(self.imported),
                    "duplicate_copies": duplicates, "log": self.log}


def load_fixtures(directory):
    events = []
    if not directory:
        return events
    for name in sorted(os.listdir(directory)):
        if not (name.endswith(".json") or name.endswith(".ndjson")):
            continue
        with open(os.path.join(directory, name), "rb") as stream:
            for line in stream:
                if line.strip():
                    events.append(json.loads(line))
    return events


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MixpanelTestServer/1.0"
    # Headers and body go out in separate writes; with Nagle's algorithm
    # the body would wait for the client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("test-server: " + (format % args) + "\n")

    # --- plumbing -------------------------------------------------------

    @property
    def state(self):
        return self.server.state

    def send_body(self, status, body, content_type="application/json",
                  headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # Counted before the headers go out: a client reading an empty body
        # is done as soon as it has them.
        self.status = status
        self.record_request()
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, value, headers=None):
        body = json.dumps(value).encode("utf-8")
        self.send_body(status, body, headers=headers)

    def send_error_json(self, status, message, headers=None):
        reasons = {400: "Bad Request", 401: "Unauthorized",
                   403: "Forbidden", 413: "Request Entity Too Large",
                   429: "Too Many Requests", 500: "Internal Server Error",
                   502: "Bad Gateway"}
        self.send_json(status, {"code": status, "error": message,
                                "status": reasons.get(status, "Error")},
                       headers)

    def record_request(self):
        """Counts the request before its response is complete, so that stats
        read right after a response include it."""
        if not self.recorded and not self.route_path.startswith("/_test/"):
            self.recorded = True
            self.state.record(self.route_path, self.status, self.started)

    def drop_connection(self):
        self.close_connection = True
        self.status = 0
        self.record_request()
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length > 0 else b""

    def basic_auth(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        return user, password

    def check_project_id(self, query):
        """Returns an error message, or None when project_id is valid."""
        values = query.get("project_id")
        if not values:
            return "project_id is required for service account auth"
        if not values[0].isdigit():
            return "project_id must be an integer: %s" % values[0]
        if int(values[0]) != self.state.args.project_id:
            return "invalid project_id: %s" % values[0]
        return None

    def authenticate(self, query, legacy_users):
        """Checks Basic auth. `legacy_users` are the credentials accepted as
        a username with an empty password (API secret, project token).
        Returns None when accepted, else (status, message)."""
        args = self.state.args
        if args.reject_all_credentials:
            return 401, "Invalid credentials"
        credentials = self.basic_auth()
        if credentials is None:
            return 401, "Missing credentials"
        user, password = credentials
        if user == args.service_user and password == args.service_secret:
            problem = self.check_project_id(query)
            if problem:
                return 400, problem
            return None
        if password == "" and user in legacy_users:
            return None
        return 401, "Invalid credentials"

    def apply_common_fault(self, fault, drop_now):
        """Sends the response of a fault that replaces the whole request.
        `drop_now` closes the connection at once for a "drop" fault, before
        any response. Returns True when the request is finished."""
        if fault.kind == "slow":
            time.sleep(fault.delay_ms / 1000.0)
            return False
        if fault.kind == "429":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            self.send_error_json(
                429, "Project exceeded rate limits. Please retry the "
                "request with exponential backoff.", headers)
            return True
        if fault.kind in ("500", "502"):
            self.send_error_json(int(fault.kind), "injected server error")
            return True
        if fault.kind == "echo_auth":
            # A misbehaving server that repeats the credentials in its error
            # text, to check that the client redacts them.
            user, password = self.basic_auth() or ("", "")
            self.send_error_json(500, "bad request from %s:%s" % (user, password))
            return True
        if fault.kind == "403":
            self.send_error_json(
                403, "service account lacks permission for this project")
            return True
        if fault.kind == "drop" and drop_now and not fault.after_store:
            self.drop_connection()
            return True
        return False

    def dispatch(self, method):
        self.started = time.monotonic()
        self.status = 0
        self.recorded = False
        parsed = urllib.parse.urlsplit(self.path)
        self.route_path = parsed.path
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        route = (method, parsed.path)
        try:
            if parsed.path.startswith("/_test/"):
                self.handle_control(method, parsed.path)
                return
            if route == ("GET", "/api/2.0/export"):
                self.handle_export(query)
            elif route == ("POST", "/import"):
                self.handle_import(query)
            else:
                self.send_error_json(404, "not found: %s %s" % route)
        finally:
            self.record_request()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    # --- control API ----------------------------------------------------

    def handle_control(self, method, path):
        state = self.state
        if method == "POST":
            try:
                spec = json.loads(self.read_body() or b"{}")
            except ValueError as error:
                self.send_error_json(400, "invalid JSON: %s" % error)
                return
        if (method, path) == ("POST", "/_test/faults"):
            try:
                rules = [FaultRule(rule) for rule in spec.get("rules", [])]
            except (KeyError, ValueError) as error:
                self.send_error_json(400, "invalid fault rule: %s" % error)
                return
            with state.lock:
                state.rules = rules
            self.send_json(200, {"rules": len(rules)})
        elif (method, path) == ("POST", "/_test/config"):
            if "max_body_bytes" in spec:
                state.max_body_bytes = int(spec["max_body_bytes"])
            self.send_json(200, {"max_body_bytes": state.max_body_bytes})
        elif (method, path) == ("POST", "/_test/reset"):
            with state.lock:
                state.reset()
            self.send_json(200, {})
        elif (method, path) == ("GET", "/_test/events"):
            with state.lock:
                lines = [json.dumps(e) + "\n" for e in state.imported.values()]
            self.send_body(200, "".join(lines).encode("utf-8"),
                           "application/x-ndjson")
        elif (method, path) == ("GET", "/_test/stats"):
            self.send_json(200, state.stats())
        else:
            self.send_error_json(404, "unknown control endpoint %s" % path)

    # --- export ---------------------------------------------------------

    def parse_export_query(self, query):
        """Returns (settings, None) or (None, error message)."""
        def first(name):
            values = query.get(name)
            return values[0] if values else None

        settings = {}
        for name in ("from_date", "to_date"):
            text = first(name)
            if text is None:
                return None, "%s is required" % name
            try:
                settings[name] = datetime.date.fromisoformat(text)
            except ValueError:
                return None, "%s is not a yyyy-mm-dd date: %s" % (name, text)
        if settings["from_date"] > settings["to_date"]:
            return None, "from_date cannot be later than to_date"
        limit = first("limit")
        if limit is not None:
            if not limit.isdigit() or int(limit) > MAX_EXPORT_LIMIT:
                return None, "limit must be an integer <= %d: %s" % (
                    MAX_EXPORT_LIMIT, limit)
            settings["limit"] = int(limit)
        events = first("event")
        if events is not None:
            try:
                names = json.loads(events)
            except ValueError:
                return None, "event must be a JSON array: %s" % events
            if not isinstance(names, list):
                return None, "event must be a JSON array: %s" % events
            settings["event"] = set(names)
        where = first("where")
        if where:
            try:
                settings["where"] = where_expression.parse(where)
            except where_expression.ParseError as error:
                return None, "invalid where expression: %s" % error
        settings["time_in_ms"] = first("time_in_ms") == "true"
        return settings, None

    def select_export_events(self, settings):
        with self.state.lock:
            candidates = list(self.state.fixture_events)
            candidates.extend(self.state.imported.values())
        selected = []
        for event in candidates:
            properties = event.get("properties", {})
            seconds = event_time_seconds(properties.get("time", 0))
            if not settings["from_date"] <= utc_day(seconds) <= settings[
                    "to_date"]:
                continue
            if "event" in settings and event.get("event") not in settings[
                    "event"]:
                continue
            if "where" in settings and not where_expression.truthy(
                    settings["where"].evaluate(properties)):
                continue
            output = {"event": event.get("event"),
                      "properties": dict(properties)}
            if settings["time_in_ms"]:
                output["properties"]["time"] = int(round(seconds * 1000))
            else:
                output["properties"]["time"] = int(seconds)
            selected.append(output)
            if len(selected) == settings.get("limit", -1):
                break
        return selected

    def handle_export(self, query):
        problem = self.authenticate(query, (self.state.args.api_secret,))
        if problem:
            self.send_error_json(*problem)
            return
        settings, message = self.parse_export_query(query)
        if message:
            self.send_error_json(400, message)
            return
        fault = self.state.take_fault("/api/2.0/export")
        if fault and self.apply_common_fault(fault, drop_now=False):
            return
        lines = [json.dumps(e, separators=(",", ":")) + "\n"
                 for e in self.select_export_events(settings)]
        body = "".join(lines).encode("utf-8")
        if fault and fault.kind == "terminated":
            body += b"export terminated early\n"
        headers = {}
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if accepts_gzip and len(body) > GZIP_THRESHOLD_BYTES:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if fault and fault.kind == "drop":
            self.send_partial(body, headers)
            return
        self.send_body(200, body, "text/plain; charset=utf-8", headers)

    def send_partial(self, body, headers):
        """Announces the full length, sends half of the body and closes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.status = 200
        self.record_request()
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.drop_connection()

    # --- import ---------------------------------------------------------

    def decode_import_body(self, raw):
        """Returns (events, None) or (None, error message)."""
        if self.headers.get("Content-Encoding", "") == "gzip":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError) as error:
                return None, "invalid gzip body: %s" % error
        text = raw.decode("utf-8", errors="replace").strip()
        try:
            if text.startswith("["):
                events = json.loads(text)
            else:
                events = [json.loads(line) for line in text.splitlines()
                          if line.strip()]
        except ValueError as error:
            return None, "body is not valid JSON or NDJSON: %s" % error
        return events, None

    def validate_event(self, event):
        """Returns None for a valid event, else (field, message)."""
        if not isinstance(event, dict):
            return "event", "event must be a JSON object"
        if not isinstance(event.get("event"), str) or not event["event"]:
            return "event", "'event' must be a non-empty string"
        properties = event.get("properties")
        if not isinstance(properties, dict):
            return "properties", "'properties' must be an object"

        if len(json.dumps(event).encode("utf-8")) >= MAX_EVENT_BYTES:
            return "event", "event exceeds max size of 1MB"
        if len(properties) >= MAX_PROPERTIES:
            return "properties", "event has more than 255 properties"

        when = properties.get("time")
        if not isinstance(when, (int, float)) or isinstance(when, bool):
            return "properties.time", "'properties.time' must be specified " \
                "as seconds since epoch"
        seconds = event_time_seconds(when)
        if seconds < MIN_EVENT_TIME_S or seconds > time.time() + 3600:
            return "properties.time", "'properties.time' is before " \
                "1971-01-01 or more than 1 hour in the future"

        distinct_id = properties.get("distinct_id")
        if distinct_id is None:
            return "properties.distinct_id", "'properties.distinct_id' " \
                "must be specified"
        if str(distinct_id).lower() in PLACEHOLDER_IDS:
            return "properties.distinct_id", "'properties.distinct_id' is " \
                "an invalid placeholder value: %s" % distinct_id

        insert_id = properties.get("$insert_id")
        if not isinstance(insert_id, str) or not INSERT_ID_PATTERN.match(
                insert_id) or insert_id.lower() in PLACEHOLDER_IDS:
            return "properties.$insert_id", "'properties.$insert_id' must " \
                "be at most 36 bytes of [A-Za-z0-9-]"
        return None

    def handle_import(self, query):
        raw = self.read_body()
        problem = self.authenticate(
            query, (self.state.args.project_token, self.state.args.api_secret))
        if problem:
            self.send_error_json(*problem)
            return
        if query.get("strict", ["1"])[0] not in ("0", "1"):
            self.send_error_json(400, "strict must be 0 or 1")
            return
        fault = self.state.take_fault("/import")
        if fault and self.apply_common_fault(fault, drop_now=True):
            return
        if len(raw) > self.state.max_body_bytes:
            self.send_error_json(413, "request exceeds max limit of %d bytes"
                                 % self.state.max_body_bytes)
            return
        events, message = self.decode_import_body(raw)
        if message:
            self.send_error_json(400, message)
            return
        if len(events) > MAX_BATCH_EVENTS:
            self.send_error_json(400, "batch has %d events, max is %d"
                                 % (len(events), MAX_BATCH_EVENTS))
            return
        self.import_events(events, fault)

    def import_events(self, events, fault):
        if self.state.args.count_only:
            self.send_json(200, {"code": 200, "status": "OK",
                                 "num_records_imported": len(events)})
            return
        accepted = []
        failed = []
        forced = fault.failed if fault and fault.kind == "failed_records" \
            else 0
        for index, event in enumerate(events):
            problem = self.validate_event(event)
            if problem is None and forced > 0:
                forced -= 1
                problem = ("properties", "rejected by the test server")
            if problem is None:
                accepted.append(event)
                continue
            properties = event.get("properties") if isinstance(
                event, dict) else None
            insert_id = properties.get("$insert_id") if isinstance(
                properties, dict) else None
            id_key = fault.id_key if fault else "$insert_id"
            item = {id_key: insert_id, "field": problem[0],
                    "message": problem[1]}
            if not fault or fault.with_index:
                item["index"] = index
            failed.append(item)
        self.state.store(accepted)
        if fault and fault.kind == "drop":
            self.drop_connection()
            return
        if failed:
            self.send_json(400, {
                "code": 400, "error": "some data points in the request "
                "failed validation", "status": "Bad Request",
                "num_records_imported": len(accepted),
                "failed_records": failed})
            return
        imported = len(accepted)
        if fault and fault.kind == "undercount":
            imported -= 1
        self.send_json(200, {"code": 200, "status": "OK",
                             "num_records_imported": imported})


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data", help="folder of fixture NDJSON files")
    parser.add_argument("--state", help="folder that keeps imported events")
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1; 0 picks a free one")

    parser.add_argument("--project-id", type=int, default=12345,
                        help="the only project id accepted")
    parser.add_argument("--service-user",
                        default="hsi-test.12345.mp-service-account",
                        help="service account user name")
    parser.add_argument("--service-secret", default="test-service-secret",
                        help="service account secret")
    parser.add_argument("--api-secret", default="test-api-secret",
                        help="legacy project API secret")
    parser.add_argument("--project-token", default="test-project-token",
                        help="project token, accepted by import only")

    parser.add_argument("--max-body-bytes", type=int,
                        default=10 * 1024 * 1024,
                        help="request bodies above this size get 413")
    parser.add_argument("--reject-all-credentials", action="store_true",
                        help="answer 401 to every request, like a region "
                        "that does not host the project")
    parser.add_argument("--count-only", action="store_true",
                        help="accept valid import bodies without validating "
                        "or storing events, so that a benchmark measures "
                        "the client rather than this server")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv):
    args = parse_arguments(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = ServerState(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
