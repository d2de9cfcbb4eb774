"""``python -m hub``: the hub's command line."""

from hub.cli import main

raise SystemExit(main())
