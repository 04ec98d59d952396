"""The ledger (台账): per unit, standard and year, assembled from linked evidence.

``collect`` gathers everything once (a handful of queries); ``pdf`` and ``docx``
render the same data, so the two files always agree.
"""
