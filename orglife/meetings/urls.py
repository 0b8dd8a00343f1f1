"""/orglife/ URLs of orglife.meetings."""

urlpatterns: list = []
