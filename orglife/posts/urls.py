"""/orglife/ URLs of orglife.posts."""

urlpatterns: list = []
