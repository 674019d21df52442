"""The decision graph: which area uses the decision of which, and the order they are made in.

An area that reads ``decisions.OTHER...`` declares ``uses: [OTHER]``; the areas and these
edges form a graph that must have no circle. Areas are decided in dependency order
(topological), ties broken by the order of the rulebase manifest, so an area is always
decided after every area it uses. The loader, the rulebase, both backends, the explainer
and the drawing in the docs all take the order from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def decision_order(areas: Sequence[str], uses: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The areas in the order they are decided: each after every area it uses, otherwise in
    the order given. Areas in a circle (see :func:`find_cycle`) come last, in given order."""
    placed: list[str] = []
    done: set[str] = set()
    remaining = list(areas)
    while remaining:
        for area in remaining:
            if all(dep in done or dep not in areas for dep in uses.get(area, ())):
                placed.append(area)
                done.add(area)
                remaining.remove(area)
                break
        else:  # a circle: nothing more can be placed in order
            placed.extend(remaining)
            break
    return tuple(placed)


def find_cycle(areas: Sequence[str], uses: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A circle of areas that use one another, first area repeated at the end
    (``["a", "b", "a"]``), or None. Searched from each area in the given order."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(area: str, path: list[str]) -> list[str] | None:
        state[area] = 1
        path.append(area)
        for dep in uses.get(area, ()):
            if dep not in areas:
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep, path)
                if found is not None:
                    return found
        path.pop()
        state[area] = 2
        return None

    for area in areas:
        if area not in state:
            found = visit(area, [])
            if found is not None:
                return found
    return None


def used_by(areas: Sequence[str], uses: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """For each area, the areas that use its decision (in the given order)."""
    return {a: tuple(b for b in areas if a in uses.get(b, ())) for a in areas}
