"""The SMS gateway (SPEC SMS-1..4): transactional outbox, backends, inbound messages, templates.

Public API: `portal.sms.services` (sms_queue, outbox_flush, sms_record_dlr, sms_receive, ...),
`portal.sms.inbound.register_handler`, and the endpoints under /api/v1/sms/.
"""
