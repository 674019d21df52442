"""Renderings of decisions for people: plain text here, Markdown and HTML reports."""
