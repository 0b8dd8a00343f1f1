from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("two-factor/", views.otp_verify, name="otp-verify"),
    path("two-factor/setup/", views.otp_setup, name="otp-setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("two-factor/recovery-codes/new/", views.recovery_codes_new, name="recovery-codes-new"),
    path("unlock/", views.unlock, name="unlock"),
]
