"""The bench server's URLs: the app's own, plus one bare view as the framework's floor (`/bench/floor/`).

Used only when the server process is started with BENCH_COUNT_QUERIES=1 (settings switch ROOT_URLCONF to this
module then); production never serves it. The floor view runs one query and renders nothing: what a request costs
through the same gunicorn, middleware and database connection before any of the app's work."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

handler400 = "core.unavailable.bad_request"
handler500 = "core.unavailable.server_error"


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), path("", include("config.urls"))]
