"""The fake's endpoints by group, one module each; `_table.py` puts them in one table."""
