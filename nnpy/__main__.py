"""``python -m nnpy ...``: see nnpy/cli.py."""

from .cli import main

raise SystemExit(main())
