"""Checks that the test server follows the documented API instead of
accepting anything: request validation, auth, gzip, and the where
expression subset. Run with `python3 -m unittest` in this folder."""

import base64
import gzip
import json
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request
from http.server import ThreadingHTTPServer

import mixpanel_test_server as server_module
import where_expression

USER = "hsi-test.12345.mp-service-account"
SECRET = "test-service-secret"
DAY_SECONDS = 1709251200  # 2024-03-01T00:00:00Z


def auth_header(user, password):
    token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    return {"Authorization": "Basic " + token}


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        data = os.path.join(cls.folder.name, "data")
        os.makedirs(data)
        with open(os.path.join(data, "events.ndjson"), "w") as stream:
            for i in range(40):
                stream.write(json.dumps({"event": "E%d" % (i % 2), "properties": {
                    "time": DAY_SECONDS + i, "distinct_id": "u%d" % i,
                    "$insert_id": "id-%d" % i, "n": i}}) + "\n")
        args = server_module.parse_arguments(
            ["--data", data, "--state", os.path.join(cls.folder.name, "s")])
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                         server_module.Handler)
        cls.server.state = server_module.ServerState(args)
        cls.thread = threading.Thread(target=cls.server.serve_forever)
        cls.thread.start()
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join()
        cls.folder.cleanup()

    def request(self, path, body=None, headers=None, user=USER,
                password=SECRET):
        all_headers = dict(headers or {})
        all_headers.update(auth_header(user, password))
        request = urllib.request.Request(self.base + path, data=body,
                                         headers=all_headers)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def export(self, query, **kwargs):
        return self.request("/api/2.0/export?" + urllib.parse.urlencode(
            query), **kwargs)

    def test_export_requires_dates(self):
        status, body, _ = self.export({"project_id": 12345})
        self.assertEqual(status, 400)
        self.assertIn("from_date", json.loads(body)["error"])

    def test_export_rejects_reversed_range(self):
        status, _, _ = self.export({"project_id": 12345, "from_date":
                                    "2024-03-02", "to_date": "2024-03-01"})
        self.assertEqual(status, 400)

    def test_export_rejects_large_limit(self):
        status, _, _ = self.export({"project_id": 12345, "from_date":
                                    "2024-03-01", "to_date": "2024-03-01",
                                    "limit": 100001})
        self.assertEqual(status, 400)

    def test_export_requires_project_id(self):
        status, body, _ = self.export({"from_date": "2024-03-01",
                                       "to_date": "2024-03-01"})
        self.assertEqual(status, 400)
        self.assertIn("project_id", json.loads(body)["error"])

    def test_export_rejects_bad_secret(self):
        status, body, _ = self.export({"project_id": 12345, "from_date":
                                       "2024-03-01", "to_date": "2024-03-01"},
                                      password="wrong")
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["error"], "Invalid credentials")

    def test_export_legacy_secret(self):
        status, body, _ = self.export({"from_date": "2024-03-01",
                                       "to_date": "2024-03-01"},
                                      user="test-api-secret", password="")
        self.assertEqual(status, 200)
        self.assertEqual(len(body.splitlines()), 40)

    def test_export_gzip_above_threshold_only(self):
        query = {"project_id": 12345, "from_date": "2024-03-01",
                 "to_date": "2024-03-01"}
        status, body, headers = self.export(
            query, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Encoding"], "gzip")
        self.assertEqual(len(gzip.decompress(body).splitlines()), 40)
        query["limit"] = 1
        _, small, headers = self.export(
            query, headers={"Accept-Encoding": "gzip"})
        self.assertIsNone(headers["Content-Encoding"])
        self.assertTrue(small.startswith(b"{"))

    def test_export_where_and_seconds(self):
        status, body, _ = self.export({
            "project_id": 12345, "from_date": "2024-03-01",
            "to_date": "2024-03-01", "event": '["E1"]',
            "where": 'number(properties["n"]) < 10'})
        self.assertEqual(status, 200)
        events = [json.loads(line) for line in body.splitlines()]
        self.assertEqual([e["properties"]["n"] for e in events], [1, 3, 5, 7, 9])
        self.assertEqual(events[0]["properties"]["time"], DAY_SECONDS + 1)

    def import_body(self, events, **kwargs):
        body = gzip.compress(json.dumps(events).encode())
        return self.request("/import?strict=1&project_id=12345", body,
                            {"Content-Encoding": "gzip",
                             "Content-Type": "application/json"}, **kwargs)

    def test_import_validates_strictly(self):
        good = {"event": "I", "properties": {
            "time": DAY_SECONDS, "distinct_id": "x", "$insert_id": "ok-1"}}
        bad_ids = [dict(good, properties=dict(good["properties"], **change))
                   for change in ({"$insert_id": "a" * 37},
                                  {"$insert_id": "under_score"},
                                  {"distinct_id": "undefined"},
                                  {"time": 1000},
                                  {"time": 4102444800})]
        status, body, _ = self.import_body([good] + bad_ids)
        self.assertEqual(status, 400)
        reply = json.loads(body)
        self.assertEqual(reply["num_records_imported"], 1)
        self.assertEqual([r["index"] for r in reply["failed_records"]],
                         [1, 2, 3, 4, 5])

    def test_import_rejects_more_than_2000(self):
        events = [{"event": "I", "properties": {
            "time": DAY_SECONDS, "distinct_id": "x",
            "$insert_id": "big-%d" % i}} for i in range(2001)]
        status, _, _ = self.import_body(events)
        self.assertEqual(status, 400)

    def test_import_accepts_project_token(self):
        event = {"event": "T", "properties": {
            "time": DAY_SECONDS, "distinct_id": "x", "$insert_id": "tok-1"}}
        status, body, _ = self.import_body([event], user="test-project-token",
                                           password="")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["num_records_imported"], 1)


class WhereExpressionTest(unittest.TestCase):
    PROPERTIES = {"k": "v", "list": ["a", "b"], "n": 5, "s": "12"}

    def check(self, text):
        return where_expression.truthy(
            where_expression.parse(text).evaluate(self.PROPERTIES))

    def test_cases(self):
        cases = {
            'properties["k"] == "v"': True,
            'properties["k"] == "w"': False,
            'defined(properties["k"])': True,
            'not defined(properties["missing"])': True,
            'any(X, properties["list"], X="b")': True,
            'any(X, properties["list"], X="c")': False,
            'string(properties["list"], "undefined") == "undefined"': True,
            'string(properties["k"], "undefined") == "v"': True,
            'number(properties["s"]) < 13': True,
            'number(properties["k"]) < 13': False,
            'properties["n"] > 3 AND properties["n"] < 4': False,
            'properties["n"] > 3 Or properties["n"] < 4': True,
            '(properties["k"] == "x" or properties["n"] == 5) and '
            'not properties["k"] == "x"': True,
            '"v" in properties["k"]': True,
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.check(text), expected)

    def test_rejects_invalid_syntax(self):
        for text in ('properties["k" ==', 'unknown(1)', 'properties["k"] ==='):
            with self.subTest(text=text):
                with self.assertRaises(where_expression.ParseError):
                    where_expression.parse(text)


if __name__ == "__main__":
    unittest.main()
