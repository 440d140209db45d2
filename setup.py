"""For `scrapyd-deploy`, which builds its egg with `setup.py bdist_egg` (config: pyproject.toml)."""

from setuptools import setup

setup()
