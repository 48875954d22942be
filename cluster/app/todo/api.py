"""The JSON API the harness drives: create a list, add an item, read an item or a whole list, edit an
item (its text, whether it is done), and append to two lists in one transaction."""
import json

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import Item, List


def _json_body(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _error(status, message):
    return JsonResponse({"error": message}, status=status)


def _text_field(body, name, max_length):
    value = body.get(name) if body else None
    if not isinstance(value, str) or not value.strip():
        return None, _error(400, f"'{name}' must be a non-empty string")
    if len(value) > max_length:
        return None, _error(400, f"'{name}' is longer than {max_length} characters")
    return value, None


@csrf_exempt
@require_http_methods(["POST"])
def create_list(request):
    body = _json_body(request)
    if body is None:
        return _error(400, "body must be a JSON object")
    title, err = _text_field(body, "title", 200)
    if err:
        return err
    try:
        with transaction.atomic():
            todo_list = List.objects.create(title=title)
    except IntegrityError:
        return _error(409, f"a list titled {title!r} exists")
    return JsonResponse(todo_list.as_json(), status=201)


@require_http_methods(["GET"])
def get_list(request, list_id):
    todo_list = List.objects.filter(pk=list_id).first()
    if todo_list is None:
        return _error(404, f"no list {list_id}")
    return JsonResponse(todo_list.as_json())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def list_items(request, list_id):
    todo_list = List.objects.filter(pk=list_id).first()
    if todo_list is None:
        return _error(404, f"no list {list_id}")
    if request.method == "GET":
        return JsonResponse({"items": [i.as_json() for i in todo_list.items.order_by("id")]})
    body = _json_body(request)
    if body is None:
        return _error(400, "body must be a JSON object")
    text, err = _text_field(body, "text", 500)
    if err:
        return err
    item = Item.objects.create(list=todo_list, text=text)
    return JsonResponse(item.as_json(), status=201)


@csrf_exempt
@require_http_methods(["GET", "PATCH"])
def item(request, item_id):
    """GET reads an item; PATCH edits its text, marks it done or undone, or both."""
    if request.method == "GET":
        return get_item(request, item_id)
    body = _json_body(request)
    if body is None:
        return _error(400, "body must be a JSON object")
    if "text" not in body and "done" not in body:
        return _error(400, "say what to change: 'text', 'done' or both")
    changes = {}
    if "text" in body:
        text, err = _text_field(body, "text", 500)
        if err:
            return err
        changes["text"] = text
    if "done" in body:
        if not isinstance(body["done"], bool):
            return _error(400, "'done' must be true or false")
        changes["done"] = body["done"]
    # One UPDATE of the row (no read first): what a to-do app's edit does, and a write the
    # replication carries as one row event.
    if Item.objects.filter(pk=item_id).update(**changes) == 0:
        return _error(404, f"no item {item_id}")
    return get_item(request, item_id)


def get_item(request, item_id):
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return _error(404, f"no item {item_id}")
    return JsonResponse(item.as_json())


def _txn_ops(body):
    """The transaction's micro-operations, checked: 1 to 4, on at most two lists."""
    ops = body.get("ops") if body else None
    if not isinstance(ops, list) or not 1 <= len(ops) <= 4:
        return None, _error(400, "'ops' must be a list of 1 to 4 operations")
    checked = []
    for op in ops:
        f = op.get("f") if isinstance(op, dict) else None
        list_id = op.get("list_id") if isinstance(op, dict) else None
        if f not in ("r", "append") or not isinstance(list_id, int) or isinstance(list_id, bool):
            return None, _error(400, "each op is {'f': 'r' | 'append', 'list_id': <int>[, 'text']}")
        if f == "append":
            text, err = _text_field(op, "text", 500)
            if err:
                return None, err
            checked.append(("append", list_id, text))
        else:
            checked.append(("r", list_id, None))
    if len({list_id for _, list_id, _ in checked}) > 2:
        return None, _error(400, "a transaction touches at most two lists")
    return checked, None


@csrf_exempt
@require_http_methods(["POST"])
def txn(request):
    """
    Reads and appends to at most two lists in one database transaction (the database's default
    isolation, REPEATABLE READ): what makes anomalies across rows observable. A missing list aborts
    it with 404, nothing written.
    """
    body = _json_body(request)
    if body is None:
        return _error(400, "body must be a JSON object")
    ops, err = _txn_ops(body)
    if err:
        return err
    results = []
    with transaction.atomic():
        lists = {}
        for f, list_id, text in ops:
            todo_list = lists.get(list_id) or List.objects.filter(pk=list_id).first()
            if todo_list is None:
                transaction.set_rollback(True)
                return _error(404, f"no list {list_id}")
            lists[list_id] = todo_list
            if f == "r":
                items = [i.as_json() for i in todo_list.items.order_by("id")]
                results.append({"f": "r", "list_id": list_id, "items": items})
            else:
                item = todo_list.items.create(text=text)
                results.append({"f": "append", "list_id": list_id, "id": item.id, "text": text})
    return JsonResponse({"results": results})
