"""The JSON API the harness drives: create list, add item, read item, list items."""
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


@require_http_methods(["GET"])
def get_item(request, item_id):
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return _error(404, f"no item {item_id}")
    return JsonResponse(item.as_json())
