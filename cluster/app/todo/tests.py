import json
import socket
import time

from django.test import TestCase, override_settings
from django.conf import settings

from .models import Item, List


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


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
        self.assertEqual(item, {"id": item["id"], "list_id": list_id, "text": "write tests"})
        self.assertEqual(self.client.get(f"/api/items/{item['id']}").json(), item)
        post_json(self.client, f"/api/lists/{list_id}/items", {"text": "run them"})
        items = self.client.get(f"/api/lists/{list_id}/items").json()["items"]
        self.assertEqual([i["text"] for i in items], ["write tests", "run them"])
        self.assertEqual(self.client.get(f"/api/lists/{list_id}").json(), {"id": list_id, "title": "work"})

    def test_missing_things_are_404(self):
        self.assertEqual(self.client.get("/api/items/999999").status_code, 404)
        self.assertEqual(self.client.get("/api/lists/999999").status_code, 404)
        self.assertEqual(post_json(self.client, "/api/lists/999999/items", {"text": "x"}).status_code, 404)

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
