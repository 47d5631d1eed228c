"""Shangmi (商秘): the platform that runs trade secret protection programs."""
