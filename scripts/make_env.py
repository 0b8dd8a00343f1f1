"""Print a development .env with fresh random secrets (used by `make run` when there is no .env yet)."""

import base64
import os
import secrets

print("# Development settings written by `make run`. Never use these values in production (see .env.example).")
print("DEBUG=True")
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"FIELD_ENCRYPTION_KEYS={base64.urlsafe_b64encode(os.urandom(32)).decode()}")
print(f"FIELD_HASH_KEY={secrets.token_urlsafe(32)}")
print(f"DEMO_PASSWORD=Demo-{secrets.token_urlsafe(6)}-2025")
print("# Demo only: staff log in without a phone code. Production keeps OTP_REQUIRED on (its default).")
print("OTP_REQUIRED=False")
