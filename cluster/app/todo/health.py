import MySQLdb
from django.conf import settings
from django.http import JsonResponse

from . import rejoin_guard

# A fresh connection with its own short timeouts, not Django's pooled one: the check must prove the
# database answers now, and must not hang longer than HAProxy's check timeout when it does not.
CHECK_TIMEOUT_SECONDS = 1


def healthz(request):
    db = settings.DATABASES["default"]
    held_back = None
    try:
        conn = MySQLdb.connect(
            host=db["HOST"],
            port=int(db["PORT"]),
            user=db["USER"],
            passwd=db["PASSWORD"],
            db=db["NAME"],
            connect_timeout=CHECK_TIMEOUT_SECONDS,
            read_timeout=CHECK_TIMEOUT_SECONDS,
            write_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            cur = conn.cursor()
            cur.execute("SELECT 1")
            cur.fetchone()
            if settings.REJOIN_GUARD:
                held_back = rejoin_guard.held_back(cur, settings.REJOIN_GUARD_STATE)
        finally:
            conn.close()
    except MySQLdb.Error as err:
        return JsonResponse({"status": "error", "node": settings.NODE_NAME, "error": str(err)}, status=503)
    if held_back is not None:
        return JsonResponse({"status": "rejoining", "node": settings.NODE_NAME, "error": held_back}, status=503)
    return JsonResponse({"status": "ok", "node": settings.NODE_NAME})
