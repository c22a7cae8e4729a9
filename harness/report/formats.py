"""How every results tool writes a figure: three significant figures, no
exponent, and a time in the unit that keeps it readable."""


def fmt_num(v):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_ns(v):
    """A time given in nanoseconds: 12.3 ns, 4.56 µs, 1.23 ms."""
    if v is None:
        return "–"
    if v >= 1e6:
        return f"{fmt_num(v / 1e6)} ms"
    if v >= 1e3:
        return f"{fmt_num(v / 1e3)} µs"
    return f"{fmt_num(v)} ns"
