"""``python -m device``: the unit's command line."""

from device.cli import main

raise SystemExit(main())
