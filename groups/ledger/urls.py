"""/funds/: the villager groups' collective-fund ledgers (村民小组集体经费)."""

from django.urls import path

from groups.ledger import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("vg/<int:pk>/", views.ledger, name="ledger"),
    path("vg/<int:pk>/entry/new/", views.entry_new, name="entry-new"),
    path("vg/<int:pk>/decision/new/", views.decision_new, name="decision-new"),
    path("vg/<int:pk>/disclosure/", views.disclosure, name="disclosure"),
    path("vg/<int:pk>/disclosure.xlsx", views.disclosure_xlsx, name="disclosure-xlsx"),
    path("entry/<int:pk>/", views.entry, name="entry"),
    path("entry/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
]
