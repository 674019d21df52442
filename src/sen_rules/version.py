"""The package's version, in a module of its own so that any module can name it without
importing the package top (which imports nearly everything)."""

from __future__ import annotations

__version__ = "0.1.1"
