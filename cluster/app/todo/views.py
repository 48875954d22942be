"""HTML pages, as in the original to-do app: the lists, one list with its items, forms to add both."""
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render

from .models import Item, List


def home(request):
    error = None
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        if title:
            try:
                with transaction.atomic():
                    todo_list = List.objects.create(title=title[:200])
                return redirect("list_detail", list_id=todo_list.id)
            except IntegrityError:
                error = f"A list titled “{title}” exists already."
        else:
            error = "A list needs a title."
    lists = List.objects.order_by("-id")[:100]
    return render(request, "todo/home.html", {"lists": lists, "error": error})


def list_detail(request, list_id):
    todo_list = get_object_or_404(List, pk=list_id)
    if request.method == "POST":
        text = request.POST.get("text", "").strip()
        if text:
            Item.objects.create(list=todo_list, text=text[:500])
        return redirect("list_detail", list_id=todo_list.id)
    return render(request, "todo/list.html", {"list": todo_list, "items": todo_list.items.order_by("id")})
