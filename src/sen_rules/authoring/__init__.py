"""Tools for policy authors: lint, scenario tests with coverage, rendered docs, impact diffs
and synthetic case corpora. Nothing here decides a policy question: these tools read the
same compiled rulebase the engine runs, and report on it.
"""
