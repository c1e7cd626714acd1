"""Allow ``python -m habpps`` as a synonym of the ``habpps`` command."""

import sys

from habpps.cli import main

sys.exit(main())
