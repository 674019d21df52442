"""An independent, plain-Python reading of the SEN policy (see :mod:`tests.reference.policy`)."""

from .policy import ReferenceSettings, decide

__all__ = ["ReferenceSettings", "decide"]
