from django.urls import path

from . import api, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("lists/<int:list_id>/", views.list_detail, name="list_detail"),
    path("healthz", health.healthz, name="healthz"),
    path("api/lists", api.create_list),
    path("api/lists/<int:list_id>", api.get_list),
    path("api/lists/<int:list_id>/items", api.list_items),
    path("api/items/<int:item_id>", api.item),
    path("api/txn", api.txn),
]
