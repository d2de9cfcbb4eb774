"""The hub: MQTT ingest into SQLite, the attendance rules and the web portal."""

__version__ = "0.1.0"

# The features' tables of the settings file register themselves on import; importing them here
# means any use of the hub reads a settings file whole.
from hub.alerts import settings as _alerts_settings  # noqa: F401
from hub.notify import settings as _notify_settings  # noqa: F401
from hub.operations import settings as _operations_settings  # noqa: F401
from hub.photos import settings as _photos_settings  # noqa: F401
from hub.upload import settings as _upload_settings  # noqa: F401
