"""Forms of the learner-progress app, one module per area."""
