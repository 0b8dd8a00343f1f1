"""/dues/: 党费 — the branch's dues book, assessments, payments, arrears, remittances; the township's summary."""

from django.urls import path

from dues import group_views, township_views, views

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("village/<int:pk>/<int:year>/", views.book, name="book"),
    path("village/<int:pk>/<int:year>/register.xlsx", views.register_xlsx, name="register-xlsx"),
    path("village/<int:pk>/<int:year>/assessments/", views.assessments, name="assessments"),
    path("member/<int:pk>/<int:year>/assess/", views.assess, name="assess"),
    path("village/<int:pk>/pay/", views.payment_new, name="payment-new"),
    path("payment/<int:pk>/", views.payment, name="payment"),
    path("payment/<int:pk>/reverse/", views.payment_reverse_view, name="payment-reverse"),
    path("village/<int:pk>/arrears/", views.arrears, name="arrears"),
    path("village/<int:pk>/arrears.xlsx", views.arrears_xlsx, name="arrears-xlsx"),
    path("village/<int:pk>/remittances/", views.remittances, name="remittances"),
    path("remittance/<int:pk>/reverse/", township_views.remittance_reverse_view, name="remittance-reverse"),
    path("group/<int:pk>/", group_views.group, name="group"),
    path("group/<int:pk>/pay/", group_views.group_pay, name="group-pay"),
    path("township/<int:pk>/<int:year>/", township_views.township, name="township"),
    path("township/<int:pk>/<int:year>/remittances.xlsx", township_views.township_xlsx, name="township-xlsx"),
    path("township/<int:pk>/settings/", township_views.settings, name="settings"),
    path("township/<int:pk>/settings/new/", township_views.settings_new, name="settings-new"),
    path("remittance/<int:pk>/receive/", township_views.receive, name="receive"),
]
