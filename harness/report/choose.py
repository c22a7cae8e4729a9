"""What to choose, computed from one conformance run: which real subjects
hold the key properties (stable identity across pickle and fork), each with
the model it behaves like and the conditions its record carries, counted
as tools and as subjects (one tool may be several subjects: versions and
variants). The matrix (harness/report/matrix.py) writes it into
results/conformance.md and the README's generated block; the results page
(harness/report/page.py) renders the same pieces as HTML.

Conditions come from the subjects' records only (ffi_adapters.describe():
the "conditions" of harness/subjects/conditions.txt, and a yanked release
from its provenance), never from prose here."""
import behaves_like
import subject_origin   # noqa: E402  (results put harness/subjects on the path)

# The question the summary answers: one wrapper per handle that survives
# pickle and fork. Each property must be in the run to count.
KEY = ("I5", "P3", "F2")

README_BEGIN, README_END = "<!-- what to choose -->", "<!-- end what to choose -->"


def key_properties(props):
    return [p for p in KEY if p in props]


def conditions(record):
    """The conditions under which a real subject's results hold, from its
    record: its adapter's declared conditions, then a yanked release."""
    if not record:
        return []
    out = list(record.get("conditions", []))
    if subject_origin.is_yanked(record):
        out.append(f"a yanked release ({subject_origin.yanked_reason(record)})")
    return out


def tool_count(subjects, tools):
    """How many tools the subjects are versions and variants of."""
    return len({tools[i].get("tool", i) if i in tools else i for i in subjects})


def counted(subjects, tools):
    """"10 tools, 15 subjects": tools and their versions and variants apart."""
    n = tool_count(subjects, tools)
    return f"{n} tool{'s' if n != 1 else ''}, {len(subjects)} subject{'s' if len(subjects) != 1 else ''}"


def holding(real, verdicts, key):
    """The real subjects that pass every key property, in run order."""
    return [i for i in real if all(verdicts[i].get(p) == "pass" for p in key)]


def losing(real, verdicts, key):
    """{tuple of key properties a subject does not pass: [subjects]}."""
    out = {}
    for i in real:
        miss = tuple(p for p in key if verdicts[i].get(p) != "pass")
        if miss:
            out.setdefault(miss, []).append(i)
    return out


def md(text):
    """Prose for a Markdown table or list: Py<T> must not read as an HTML tag, nor | end a cell."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def markdown(real, models, tools, verdicts, names, every_subject=False):
    """The summary as markdown lines; verdicts: {subject: {property:
    matrix.verdict kind}}, names: {property id: name}. every_subject adds
    a table of every real subject: the key properties, behaves like and
    conditions (the README's block, where no matrix stands beside it)."""
    key = key_properties(names)
    if not key:
        return [f"This catalogue has none of {', '.join(KEY)}."]
    what = ", ".join(f"{p} {names[p]}" for p in key)
    full = holding(real, verdicts, key)
    lines = [f"Stable identity across pickle and fork needs {what}. "
             f"Real tools tested here: {counted(real, tools)}. "
             f"Of these, {counted(full, tools)} hold all {len(key)}:", ""]

    def item(i):
        like, share = behaves_like.behaves_like(i, verdicts, models)
        bits = [f"behaves like {', '.join(f'`{m}`' for m in like)} ({share:.0%})"] if like else []
        conds = conditions(tools.get(i))
        if conds:
            bits.append("only where: " + md("; ".join(conds)))
        return f"- `{i}`" + (": " + "; ".join(bits) if bits else "")

    lines += [item(i) for i in full] or ["- none"]
    if every_subject:
        lines += ["", f"| subject | {' | '.join(key)} | behaves like | only where |",
                  "|---|" + "---|" * len(key) + "---|---|"]
        for i in real:
            like, share = behaves_like.behaves_like(i, verdicts, models)
            cells = ["ok" if verdicts[i].get(p) == "pass" else verdicts[i].get(p, "–").replace("fail", "✗")
                     for p in key]
            lines.append(f"| `{i}` | {' | '.join(cells)} | "
                         + (f"{', '.join(f'`{m}`' for m in like)} ({share:.0%})" if like else "–")
                         + f" | {md('; '.join(conditions(tools.get(i)))) or '–'} |")
    rest = losing(real, verdicts, key)
    if rest:
        lines += ["", "The others, by the key properties they do not pass:", ""]
        for miss, subjects in sorted(rest.items(), key=lambda kv: (len(kv[0]), kv[0])):
            lines.append(f"- not {', '.join(miss)}: " + ", ".join(f"`{i}`" for i in subjects))
    return lines


def replace_block(readme, lines):
    """The README's text with its generated block (between README_BEGIN and
    README_END) replaced by `lines`; ValueError when the markers are missing."""
    text = open(readme).read()
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{readme} has no {README_BEGIN} ... {README_END} block")
    body = "\n".join([README_BEGIN, "", *lines, "", ""])
    return text[:start] + body + text[end:]
