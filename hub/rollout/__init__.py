"""Staged rollouts of the units' software: a signed wheel to a few units first, then the rest."""
