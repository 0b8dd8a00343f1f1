"""/orglife/ URLs of orglife.visits."""

urlpatterns: list = []
