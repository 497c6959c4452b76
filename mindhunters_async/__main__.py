"""`python -m mindhunters_async demo` (see `_demo.py`) and `... doctor` (see `_doctor.py`)."""

import sys

from ._demo import main

sys.exit(main())
