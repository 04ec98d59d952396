"""Registers (台账名册): the people, households and things the plans count, kept once."""
