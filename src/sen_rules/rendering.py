"""HTML from templates: Jinja2 with autoescaping, the templates shipped in the package.

Every value put into a page is escaped unless a template marks it safe, so text from a
case, a rule file or a policy can never become markup (tested with hostile input).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def environment() -> Environment:
    """The template environment, built on first use: importing Jinja2 costs a quarter of a
    second, which a command that renders no HTML should not pay."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("sen_rules", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **values: Any) -> str:
    """The template (a file of ``sen_rules/templates``) filled with ``values``."""
    return environment().get_template(template).render(**values)
