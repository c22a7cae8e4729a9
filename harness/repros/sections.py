"""Conditional sections in kit and scenario files.

A kit file binds the whole object model; a repro needs only part of it
(a Node class only where the property walks a DAG, pickling only where it
pickles). A line that is nothing but a comment holding a marker opens or
closes a section:

    # @if pickle          // @if node derived      /* @if !slots */
    ...                   ...                      ...
    # @else               // @end                  /* @end */
    ...
    # @end

`@if A B` keeps its lines when every word holds (a feature the repro
needs, or a flag of its kit); `!A` holds when A does not. Sections nest.
Marker lines never reach the output."""
import re

# A comment leader, the marker, an optional comment closer: nothing else on the line.
MARKER = re.compile(r"^\s*(?:#|//|/\*|\*|<!--|;)?\s*@(if|else|end)\b([^*>]*?)\s*(?:\*/|-->)?\s*$")


class Error(Exception):
    pass


def holds(words, have):
    return all((w[1:] not in have) if w.startswith("!") else (w in have) for w in words)


def select(text, have, where="text"):
    """text with the sections whose conditions fail (and every marker line) removed."""
    out, stack = [], []   # stack: (this section keeps, enclosing keeps)
    keep = True
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        m = MARKER.match(line)
        if not m:
            if keep:
                out.append(line)
            continue
        kind, words = m.group(1), m.group(2).split()
        if kind == "if":
            if not words:
                raise Error(f"{where}:{n}: @if without a condition")
            stack.append((keep, holds(words, have)))
            keep = keep and stack[-1][1]
        elif not stack:
            raise Error(f"{where}:{n}: @{kind} outside a section")
        elif kind == "else":
            outer, cond = stack[-1]
            stack[-1] = (outer, not cond)
            keep = outer and not cond
        else:
            keep = stack.pop()[0]
    if stack:
        raise Error(f"{where}: {len(stack)} section(s) not closed with @end")
    return "".join(out)


def words(text):
    """Every feature word the markers of text mention (for checks)."""
    found = set()
    for line in text.splitlines():
        m = MARKER.match(line)
        if m:
            found |= {w.lstrip("!") for w in m.group(2).split()}
    return found
