"""Learner-progress models, one module per area so each stays readable in one go."""

from .assessments import PathSelection, Rating

__all__ = ["PathSelection", "Rating"]
