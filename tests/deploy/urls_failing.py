"""The app's URLs plus one view that fails, to see what a person is shown when something breaks."""

from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


class DatabaseTrouble(Exception):
    pass


def failing_view(request):
    raise DatabaseTrouble("secret internals: SELECT id_number FROM members_partymember")


urlpatterns = [*app_urlpatterns, path("failing/", failing_view)]
