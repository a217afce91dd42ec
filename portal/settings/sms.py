"""SMS gateway (SPEC SMS-1..4): backend choice, Kannel endpoints, outbox retry policy."""
from .env import env

SMS_BACKEND = env.str("SMS_BACKEND", default="console")  # console | memory | kannel
SMS_INBOUND_SECRET = env.str("SMS_INBOUND_SECRET", default="dev-inbound-secret")
SMS_SENDER = env.str("SMS_SENDER", default="10086")
# Surveys and care messages wait through the quiet hours of the policy values (issue 16 item 4);
# SMS_QUIET_HOURS=0 switches the hold off altogether (the test suite does, but for its own tests).
SMS_QUIET_HOURS = env.bool("SMS_QUIET_HOURS", default=True)
KANNEL_SENDSMS_URL = env.str("KANNEL_SENDSMS_URL", default="http://127.0.0.1:13013/cgi-bin/sendsms")
KANNEL_USERNAME = env.str("KANNEL_USERNAME", default="portal")
KANNEL_PASSWORD = env.str("KANNEL_PASSWORD", default="portal")
SMS_DLR_BASE_URL = env.str("SMS_DLR_BASE_URL", default="http://127.0.0.1:8000")

# Kannel client: seconds before a sendsms call counts as failed (and is retried), parallel
# keep-alive connections per flush, the delivery-report mask (31 = every report) and an optional
# smsc-id to route through. KANNEL_MAX_MESSAGES must not exceed the sendsms-user's `max-messages`
# in kannel.conf, which must also say `concatenation = true` (else Kannel silently truncates).
KANNEL_TIMEOUT = env.float("KANNEL_TIMEOUT", default=10.0)
KANNEL_CONCURRENCY = env.int("KANNEL_CONCURRENCY", default=8)
KANNEL_DLR_MASK = env.int("KANNEL_DLR_MASK", default=31)
KANNEL_SMSC = env.str("KANNEL_SMSC", default="")
KANNEL_MAX_MESSAGES = env.int("KANNEL_MAX_MESSAGES", default=10)

# Outbox worker: attempts before a row is failed; back-off base and cap (seconds, doubling each
# attempt); a row left in "sending" longer than SMS_SENDING_TIMEOUT (a crashed worker) is taken
# again; rows per flush run and per claim.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=8)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=30)
SMS_RETRY_MAX_SECONDS = env.int("SMS_RETRY_MAX_SECONDS", default=3600)
SMS_SENDING_TIMEOUT_SECONDS = env.int("SMS_SENDING_TIMEOUT_SECONDS", default=600)
SMS_FLUSH_LIMIT = env.int("SMS_FLUSH_LIMIT", default=5000)
SMS_FLUSH_CHUNK = env.int("SMS_FLUSH_CHUNK", default=100)
