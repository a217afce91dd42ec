"""SMS gateway (SPEC SMS-1..4): backend choice and Kannel endpoints."""
from .env import env

SMS_BACKEND = env.str("SMS_BACKEND", default="console")  # console | memory | kannel
SMS_INBOUND_SECRET = env.str("SMS_INBOUND_SECRET", default="dev-inbound-secret")
SMS_SENDER = env.str("SMS_SENDER", default="10086")
KANNEL_SENDSMS_URL = env.str("KANNEL_SENDSMS_URL", default="http://127.0.0.1:13013/cgi-bin/sendsms")
KANNEL_USERNAME = env.str("KANNEL_USERNAME", default="portal")
KANNEL_PASSWORD = env.str("KANNEL_PASSWORD", default="portal")
SMS_DLR_BASE_URL = env.str("SMS_DLR_BASE_URL", default="http://127.0.0.1:8000")
