"""``python -m provisioning``: the technician's command line."""

from provisioning.cli import main

raise SystemExit(main())
