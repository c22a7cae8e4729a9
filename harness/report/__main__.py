"""The results tools behind one command line:

    python3 harness/report COMMAND [ARGS]

  bench context|check|render|compare ...  benchmark results: merge a run's
                                          files, check them, write the report,
                                          compare two runs (bench_results.py)
  instructions run|render|compare ...     instruction counts under callgrind
  summary BENCH.json OUTDIR               the lines `make bench` ends with
  page [CONFORMANCE.json] BENCH.json OUT.html   the results page
  matrix CONFORMANCE.json OUT.md [README.md]    the conformance matrix
  matrix --merge OUT.json IN.json...      one run from several
  pythons OUT_DIR RUN.json...             one matrix across interpreters
  history OUT_DIR RUN.json... [--tool T]  release timelines: one run per release
                                          of a tool, merged (make history)
  diff BASE.json NEW.json [--map A=B]     what changed between conformance runs
  update-expectations RUN.json... [--subject S] [--dir D] [--dry-run]

Each module reads results through one model: conformance_results.py for
conformance records (either generation of names and keys), bench_results.py
for benchmark entries. `python3 harness/report COMMAND --help` (or no
arguments) says more where a command has more to say."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "subjects", "loader")]


def run(command, argv):
    if command == "bench":
        import bench_results
        return bench_results.main(argv)
    if command == "instructions":
        import instructions
        return instructions.cli(argv)
    if command == "summary":
        import summary
        return summary.main(argv)
    if command == "page":
        import page
        return page.main(argv)
    if command == "matrix":
        import matrix
        return matrix.cli(argv)
    if command == "pythons":
        import pythons
        return pythons.main(argv)
    if command == "history":
        import history
        return history.main(argv)
    if command == "diff":
        import diff
        return diff.main(argv)
    if command == "update-expectations":
        import update_expectations
        return update_expectations.main(argv)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    import results_file
    try:
        sys.exit(run(sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else run("", []))
    except (results_file.Error, OSError) as e:   # a file that is missing or not what it should be
        sys.exit(f"harness/report {sys.argv[1]}: {e}")
