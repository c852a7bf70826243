"""The source schemas of the field mapping's evaluation set (see generate_mapping_sources.py)."""
