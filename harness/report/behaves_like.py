"""Which built-in model a real tool behaves like: the one computation the
matrix (harness/report/matrix.py), the results page (harness/report/page.py) and the
README's generated block all show, so they cannot disagree.

A tool's row of verdicts is compared with each model's on the properties
both ran; the models that agree on the largest share win (ties are all
named). Results merged from several runs (matrix.py --merge) name each
subject "NAME (RUN LABEL)": a tool is compared with the models of its own
run only. A property the tool declares unsupported is left out, as a skip
is: the model's verdict there says nothing about the tool."""

NOT_COMPARED = ("skip", "unsupported")


def run_of(name):
    """The " (RUN LABEL)" suffix of a merged subject name, "" for one run."""
    return name[name.find(" ("):] if " (" in name else ""


def closest(row, models):
    """(names, share): the models whose verdicts ({property: verdict})
    agree with `row` on the largest share of the properties both ran."""
    best, names = -1, []
    for name, other in models.items():
        both = [p for p in row if row[p] not in NOT_COMPARED and other.get(p, "skip") not in NOT_COMPARED]
        if not both:
            continue
        agree = sum((row[p] == "pass") == (other[p] == "pass") for p in both)
        share = agree / len(both)
        if share > best + 1e-9:
            best, names = share, [name]
        elif abs(share - best) <= 1e-9:
            names.append(name)
    return names, best


def behaves_like(subject, verdicts, models):
    """(names, share) for `subject` among `models` of its own run;
    verdicts: {subject: {property: verdict}} (matrix.verdict's kinds)."""
    run = run_of(subject)
    return closest(verdicts[subject], {m: verdicts[m] for m in models if run_of(m) == run})
