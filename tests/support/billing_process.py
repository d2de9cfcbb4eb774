"""The billing tests' hub in a process of its own, so that libfaketime can set its clock.

``python -m tests.support.billing_process DATABASE AMOUNTS MAIL_DIR PORT`` serves the portal as
:func:`tests.support.billing.billing_hub` does (the same database, amounts table and mail folder).
:func:`tests.support.billing.hub_at` starts it with its wall clock at a chosen moment, running on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from hub.core.settings import HubSettings
from hub.mail.folder import FolderMailer
from hub.upload.settings import UploadSettings
from hub.web.app import create_app
from hub.web.channel import RecordingChannel


def main(database: str, amounts: str, mail: str, port: str) -> None:
    settings = HubSettings(
        data_dir=Path(database).parent, sections={"upload": UploadSettings(amounts_file=amounts)}
    )
    app = create_app(database, units=RecordingChannel(), mailer=FolderMailer(Path(mail)), settings=settings)
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:5])
