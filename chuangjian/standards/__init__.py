"""Standards (评价标准): campaigns as data files, their schema and their loader.

`chuangjian.standards.loader.load_paths` is the entry point; it returns the
validated `chuangjian.standards.schema.Standard` objects or the errors.
"""
