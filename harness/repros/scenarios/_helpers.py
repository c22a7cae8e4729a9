failed, header = [], []


def say(line):
    if not header:   # the first line names what ran
        header.append(line)
        print(f"{TOOL}, Python {platform.python_version()}")
    print(line, flush=True)


def check(what, holds, detail=""):
    """One check of the property: prints it, remembers a failure."""
    say(f"{'ok   ' if holds else 'FAILS'} {what}" + ("" if holds or not detail else f"  ({detail})"))
    if not holds:
        failed.append(what)
    return holds


# @if contrast
def contrast(what, holds, detail=""):
    """The same check in another form of binding, for comparison (not part of the verdict)."""
    say(f"  vs {'ok   ' if holds else 'FAILS'} {what}" + ("" if holds or not detail else f"  ({detail})"))


# @end
def how(a, b):
    """Why two Python objects that should be one are not."""
    return "one native object, two Python objects" if addr(a) == addr(b) else "two native objects"


def done(hard=False):
    """The verdict: exit status 1 when the property fails, 0 when it holds.
    hard: leave at once (os._exit), skipping interpreter teardown."""
    say("=> " + (f"the property fails: {failed[0]}" if failed else "the property holds"))
    # @if subclass teardown_crash
    hard = True   # the binding's note on teardown says why
    # @end
    if hard:
        sys.stdout.flush()
        os._exit(1 if failed else 0)
    sys.exit(1 if failed else 0)
