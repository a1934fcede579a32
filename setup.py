"""Only the C extension lives here (everything else is in pyproject.toml).

``comparators._scan`` is the C form of the byte scans in ``comparators/scan.py``. It is optional: without
a C compiler the build skips it and scan.py uses its Python forms (same results, slower).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("comparators._scan", ["comparators/_scan.c"], optional=True)])
