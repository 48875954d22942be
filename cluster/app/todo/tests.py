import json
import os
import socket
import tempfile
import time

from django.test import SimpleTestCase, TestCase, override_settings
from django.conf import settings

from . import rejoin_guard
from .models import Item, List


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch_json(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def closed_port():
    """A local port nothing listens on: a real connection attempt there is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ApiTests(TestCase):
    def test_create_list_returns_id_and_title(self):
        r = post_json(self.client, "/api/lists", {"title": "groceries"})
        self.assertEqual(r.status_code, 201)
        body = r.json()
        self.assertEqual(body["title"], "groceries")
        self.assertEqual(List.objects.get(pk=body["id"]).title, "groceries")

    def test_duplicate_title_is_409(self):
        post_json(self.client, "/api/lists", {"title": "dup"})
        r = post_json(self.client, "/api/lists", {"title": "dup"})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(List.objects.filter(title="dup").count(), 1)

    def test_bad_bodies_are_400(self):
        self.assertEqual(self.client.post("/api/lists", data="not json", content_type="application/json").status_code, 400)
        self.assertEqual(post_json(self.client, "/api/lists", {"title": ""}).status_code, 400)
        self.assertEqual(post_json(self.client, "/api/lists", {"title": "x" * 201}).status_code, 400)
        self.assertEqual(post_json(self.client, "/api/lists", ["title"]).status_code, 400)

    def test_add_read_and_list_items(self):
        list_id = post_json(self.client, "/api/lists", {"title": "work"}).json()["id"]
        created = post_json(self.client, f"/api/lists/{list_id}/items", {"text": "write tests"})
        self.assertEqual(created.status_code, 201)
        item = created.json()
        self.assertEqual(item, {"id": item["id"], "list_id": list_id, "text": "write tests", "done": False})
        self.assertEqual(self.client.get(f"/api/items/{item['id']}").json(), item)
        post_json(self.client, f"/api/lists/{list_id}/items", {"text": "run them"})
        items = self.client.get(f"/api/lists/{list_id}/items").json()["items"]
        self.assertEqual([i["text"] for i in items], ["write tests", "run them"])
        self.assertEqual(self.client.get(f"/api/lists/{list_id}").json(), {"id": list_id, "title": "work"})

    def test_missing_things_are_404(self):
        self.assertEqual(self.client.get("/api/items/999999").status_code, 404)
        self.assertEqual(self.client.get("/api/lists/999999").status_code, 404)
        self.assertEqual(post_json(self.client, "/api/lists/999999/items", {"text": "x"}).status_code, 404)

    def test_an_item_is_edited_and_marked_done(self):
        list_id = post_json(self.client, "/api/lists", {"title": "chores"}).json()["id"]
        item_id = post_json(self.client, f"/api/lists/{list_id}/items", {"text": "dishes"}).json()["id"]
        r = patch_json(self.client, f"/api/items/{item_id}", {"text": "dishes and pans", "done": True})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), {"id": item_id, "list_id": list_id, "text": "dishes and pans", "done": True})
        self.assertEqual(patch_json(self.client, f"/api/items/{item_id}", {"done": False}).json()["done"], False)
        self.assertEqual(self.client.get(f"/api/items/{item_id}").json()["text"], "dishes and pans")

    def test_bad_edits_are_400_and_a_missing_item_404(self):
        list_id = post_json(self.client, "/api/lists", {"title": "edits"}).json()["id"]
        item_id = post_json(self.client, f"/api/lists/{list_id}/items", {"text": "x"}).json()["id"]
        for body in ({}, {"done": "yes"}, {"text": ""}, {"text": "x" * 501}):
            self.assertEqual(patch_json(self.client, f"/api/items/{item_id}", body).status_code, 400, body)
        self.assertEqual(patch_json(self.client, "/api/items/999999", {"done": True}).status_code, 404)

    def test_a_transaction_reads_and_appends_to_two_lists(self):
        a = post_json(self.client, "/api/lists", {"title": "a"}).json()["id"]
        b = post_json(self.client, "/api/lists", {"title": "b"}).json()["id"]
        post_json(self.client, f"/api/lists/{a}/items", {"text": "a1"})
        ops = [
            {"f": "r", "list_id": a},
            {"f": "append", "list_id": a, "text": "a2"},
            {"f": "append", "list_id": b, "text": "b1"},
            {"f": "r", "list_id": b},
        ]
        r = post_json(self.client, "/api/txn", {"ops": ops})
        self.assertEqual(r.status_code, 200)
        results = r.json()["results"]
        self.assertEqual([i["text"] for i in results[0]["items"]], ["a1"])
        self.assertEqual([results[1]["text"], results[2]["text"]], ["a2", "b1"])
        self.assertEqual([i["text"] for i in results[3]["items"]], ["b1"])
        self.assertEqual([i.text for i in Item.objects.filter(list_id=a).order_by("id")], ["a1", "a2"])

    def test_a_transaction_on_a_missing_list_writes_nothing(self):
        a = post_json(self.client, "/api/lists", {"title": "only"}).json()["id"]
        ops = [{"f": "append", "list_id": a, "text": "kept?"}, {"f": "r", "list_id": 999999}]
        self.assertEqual(post_json(self.client, "/api/txn", {"ops": ops}).status_code, 404)
        self.assertFalse(Item.objects.filter(text="kept?").exists())
        three = [{"f": "r", "list_id": n} for n in (a, a + 1, a + 2)]
        self.assertEqual(post_json(self.client, "/api/txn", {"ops": three}).status_code, 400)
        self.assertEqual(post_json(self.client, "/api/txn", {"ops": []}).status_code, 400)

    def test_every_response_names_the_node(self):
        for r in (self.client.get("/api/items/1"), self.client.get("/healthz"), self.client.get("/")):
            self.assertEqual(r["X-Served-By"], settings.NODE_NAME)


class HealthTests(TestCase):
    def test_healthy_when_the_database_answers(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "ok")

    def test_503_fast_when_the_database_is_unreachable(self):
        dead = dict(settings.DATABASES["default"], HOST="127.0.0.1", PORT=str(closed_port()))
        with override_settings(DATABASES={"default": dead}):
            t0 = time.monotonic()
            r = self.client.get("/healthz")
            elapsed = time.monotonic() - t0
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["status"], "error")
        self.assertLess(elapsed, 2.0)

    def test_the_rejoin_guard_passes_a_database_with_no_replica(self):
        with override_settings(REJOIN_GUARD=True):
            r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200, r.content)


class FakeCursor:
    """SHOW GLOBAL STATUS LIKE 'Uptime' and SHOW SLAVE STATUS as MariaDB answers them (recorded shape)."""

    def __init__(self, slave, uptime):
        self.slave, self.uptime, self.description, self._row = slave, uptime, None, None
        self.slave_status_reads = 0

    def execute(self, sql):
        if sql.startswith("SHOW SLAVE STATUS"):
            self.slave_status_reads += 1
            self.description = [(k,) for k in self.slave] if self.slave else None
            self._row = tuple(self.slave.values()) if self.slave else None
        else:
            self._row = ("Uptime", str(self.uptime))

    def fetchone(self):
        return self._row


CAUGHT_UP = {
    "Slave_IO_State": "Waiting for master to send event",
    "Slave_IO_Running": "Yes",
    "Slave_SQL_Running": "Yes",
    "Seconds_Behind_Master": 0,
    "Master_Log_File": "mysql-bin.000002",
    "Read_Master_Log_Pos": 4711,
    "Relay_Master_Log_File": "mysql-bin.000002",
    "Exec_Master_Log_Pos": 4711,
}


def held(cursor, state):
    # The app's clock at 10 000 s: a database up 9 000 s started at 1 000.
    return rejoin_guard.held_back(cursor, state, now=lambda: 10_000)


class RejoinGuardTests(SimpleTestCase):
    def setUp(self):
        fd, self.state = tempfile.mkstemp()
        os.close(fd)
        os.unlink(self.state)

    def tearDown(self):
        if os.path.exists(self.state):
            os.unlink(self.state)

    def test_no_replica_configured_is_not_held(self):
        self.assertIsNone(held(FakeCursor({}, 9000), self.state))

    def test_a_restarted_database_is_held_until_its_replica_catches_up(self):
        connecting = dict(CAUGHT_UP, Slave_IO_Running="Connecting", Slave_IO_State="Connecting to master",
                          Seconds_Behind_Master=None)
        self.assertIn("rejoining", held(FakeCursor(connecting, 9000), self.state))
        behind = dict(CAUGHT_UP, Exec_Master_Log_Pos=4000)
        self.assertIn("rejoining", held(FakeCursor(behind, 9000), self.state))
        lagging = dict(CAUGHT_UP, Seconds_Behind_Master=3)
        self.assertIn("rejoining", held(FakeCursor(lagging, 9000), self.state))
        self.assertIsNone(held(FakeCursor(CAUGHT_UP, 9000), self.state))

    def test_once_caught_up_a_later_split_does_not_take_the_node_out(self):
        self.assertIsNone(held(FakeCursor(CAUGHT_UP, 9000), self.state))
        split = dict(CAUGHT_UP, Slave_IO_Running="Connecting", Seconds_Behind_Master=None)
        cursor = FakeCursor(split, 8999)
        self.assertIsNone(held(cursor, self.state))
        # Released: the check reads only the uptime, not SHOW SLAVE STATUS.
        self.assertEqual(cursor.slave_status_reads, 0)

    def test_a_new_database_start_arms_the_guard_again(self):
        self.assertIsNone(held(FakeCursor(CAUGHT_UP, 9000), self.state))
        split = dict(CAUGHT_UP, Slave_IO_Running="Connecting", Seconds_Behind_Master=None)
        self.assertIsNotNone(held(FakeCursor(split, 8940), self.state))


class PagesAndMetricsTests(TestCase):
    def test_home_lists_and_adds(self):
        r = self.client.post("/", {"title": "home list"})
        self.assertEqual(r.status_code, 302)
        todo_list = List.objects.get(title="home list")
        r = self.client.post(f"/lists/{todo_list.id}/", {"text": "an item"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(Item.objects.filter(list=todo_list, text="an item").exists())
        page = self.client.get(f"/lists/{todo_list.id}/")
        self.assertContains(page, "an item")
        self.assertContains(self.client.get("/"), "home list")

    def test_metrics_exposes_django_counters(self):
        self.client.get("/")
        r = self.client.get("/metrics")
        self.assertEqual(r.status_code, 200)
        self.assertIn(b"django_http_requests_total_by_method_total", r.content)
