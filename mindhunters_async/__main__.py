"""`python -m mindhunters_async demo` (see `_demo.py`), `... doctor` (see `_doctor.py`)
and `... dial` (see `_dial.py`)."""

import sys

from ._demo import main

sys.exit(main())
