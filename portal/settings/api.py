"""REST API (DRF) and its OpenAPI schema (drf-spectacular)."""
from datetime import timedelta

from .env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call then gets 401 with `WWW-Authenticate: Token`.
        # django-rest-knox: tokens stored hashed, with an expiry; logout and a password change
        # delete them all (accounts.signals).
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    # JSON is the API's body format (issue 12 item 14); a view that takes a file adds multipart itself.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    # Only for DRF throttles we do not subclass; ours identify the client by portal.clientip
    # (TRUSTED_PROXIES). 0 = never believe X-Forwarded-For.
    "NUM_PROXIES": 0,
}

# API tokens (django-rest-knox): lifetime API_TOKEN_TTL_HOURS (default 10, one working day); the
# `Authorization: Token <t>` header of the DRF authtoken days is kept.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Group-customer manager portal API",
    "DESCRIPTION": "集团客户经理门户 API. Authenticate with a session or `Authorization: Token <key>` "
    "(POST /api/v1/auth/token/). Every endpoint applies the caller's role scope (SPEC ORG-3).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # issue 12 items 6 and 14: the 4xx answers documented; input patterns only on request components
    "PREPROCESSING_HOOKS": ["portal.api.schema.without_gateway_callbacks"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.postprocess_errors",
        "portal.api.schema.postprocess_response_patterns",
    ],
    "ENUM_NAME_OVERRIDES": {
        "GroupStatusEnum": "groupclients.models.GroupCustomer.Status",
        "MemberStatusEnum": "groupclients.models.Member.Status",
        "ContactStatusEnum": "groupclients.models.Contact.Status",
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "TicketChannelEnum": "tickets.models.Ticket.Channel",
        "ParticipationEnum": "tickets.models.Ticket.Participation",
        "ComplaintStatusEnum": "tickets.models.Complaint.Status",
        "ComplaintChannelEnum": "tickets.models.Complaint.Channel",
        "FaultCauseEnum": "tickets.models.FaultCause",
        "SurveyStatusEnum": "visits.models.Survey.Status",
        "RepairStatusEnum": "visits.models.RepairCase.Status",
        "AccountKindEnum": "groupclients.billing.models.BillingAccount.Kind",
        "PaymentKindEnum": "groupclients.billing.models.Payment.Kind",
    },
}
