from django.urls import include, path

urlpatterns = [
    path("", include("todo.urls")),
    # /metrics, aggregated over every gunicorn worker (see gunicorn.conf.py).
    path("", include("django_prometheus.urls")),
]
