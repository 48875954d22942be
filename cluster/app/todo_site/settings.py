"""Settings from the environment: the same image runs on node1 and node2 and in the app's tests."""
import os

from django.core.exceptions import ImproperlyConfigured


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


SECRET_KEY = env("DJANGO_SECRET_KEY")
# The original's app ran with `-e DEBUG=TRUE` (the seed profile passes it); anything else is off.
DEBUG = os.environ.get("DEBUG", "").strip().lower() in ("true", "1", "yes")
ALLOWED_HOSTS = ["*"]
NODE_NAME = env("NODE_NAME", "unknown")
# The hardened profile's rejoin guard (todo/rejoin_guard.py): /healthz stays 503 after the database
# restarts until its replica has caught up with the peer. Off unless asked for (the original had none).
REJOIN_GUARD = os.environ.get("REJOIN_GUARD", "").strip().lower() in ("true", "1", "yes")
REJOIN_GUARD_STATE = os.environ.get("REJOIN_GUARD_STATE", "/tmp/firedrill-rejoin-guard")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "django_prometheus",
    "todo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "todo.middleware.ServedByMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "todo_site.urls"
WSGI_APPLICATION = "todo_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# Short timeouts: when this node's database dies or freezes, requests must fail fast (and /healthz
# must say so quickly) instead of hanging until HAProxy gives up.
DB_CONNECT_TIMEOUT = int(env("DB_CONNECT_TIMEOUT", "2"))
DATABASES = {
    "default": {
        "ENGINE": "django_prometheus.db.backends.mysql",
        "HOST": env("DB_HOST", "127.0.0.1"),
        "PORT": env("DB_PORT", "3306"),
        "NAME": env("DB_NAME", "todo"),
        "USER": env("DB_USER", "todo"),
        "PASSWORD": env("DB_PASSWORD", ""),
        # Persistent per thread. The seed passes 0 (Django's default): runserver starts a thread per
        # request, and each would leave its connection open until the database's wait_timeout.
        "CONN_MAX_AGE": int(env("DB_CONN_MAX_AGE", "60")),
        "OPTIONS": {
            "charset": "utf8mb4",
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "read_timeout": int(env("DB_READ_TIMEOUT", "5")),
            "write_timeout": int(env("DB_WRITE_TIMEOUT", "5")),
        },
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stdout": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
