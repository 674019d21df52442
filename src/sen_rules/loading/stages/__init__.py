"""The stages of a compilation, one job each; :mod:`..pipeline` lists them in order."""
