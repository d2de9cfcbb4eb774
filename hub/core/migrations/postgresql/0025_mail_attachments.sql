-- Files a queued mail carries (an invoice's PDF to its debtor): kept with the mail in the outbox
-- until it is sent (then deleted, as the body is emptied) or dropped as expired. Bounded per mail by
-- hub.mail.MAX_ATTACHMENT_BYTES.
CREATE TABLE mail_attachments (
    mail_id     BIGINT NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,            -- the order in the mail
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,               -- e.g. application/pdf
    data        BYTEA NOT NULL,
    PRIMARY KEY (mail_id, position)
);
