# The results tools (harness/report, one command line: $(REPORT) COMMAND)
# and their checks on made-up files, each a second or so, in make test.
REPORT_MK = harness/report/report.mk

# How bench-run ends (summary.py's lines, page.py's page of a benchmark run
# alone), from a results file made up for it: a second, in make test.
SUMMARY_T = $(BUILD)/tests/bench_summary.t
$(SUMMARY_T): $(REPORT_MK)
	$(call test_script,the end of make bench,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_summary.py))
TEST_PROGRAMS += $(SUMMARY_T)
TEST_PLAN += 'the end of make bench: its summary, the page of a benchmark run alone: $(SUMMARY_T)'

# The results page in a real browser (headless Chromium): every matrix cell
# against the JSON, a screenshot kept in $(BUILD)/page. Falls back to the
# published JSON for what $(RESULTS) lacks.
.PHONY: page-test
page-test:
	@$(DEPS) page
	$(Q)prove --exec '$(DEBIAN_PYTHON)' harness/report/tests/test_page.py :: \
	    $(or $(wildcard $(RESULTS)/conformance.json),results/conformance.json) \
	    $(or $(wildcard $(RESULTS)/bench.json),results/bench.json) $(BUILD)/page

# bench_results.py's own checks (the statistics, the impossible-value check, a
# report of a partial run): a few seconds, no benchmark run; in make test.
REPORT_T = $(BUILD)/tests/report.t
$(REPORT_T): $(REPORT_MK)
	@$(DEPS) compare
	$(call test_script,the checks of harness/report/bench_results.py,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_bench_results.py))
TEST_PROGRAMS += $(REPORT_T)
TEST_PLAN += 'the benchmark report: statistics, impossible values, partial runs: $(REPORT_T)'
.PHONY: bench-selftest
bench-selftest:
	@$(DEPS) compare
	$(Q)prove --exec '$(DEBIAN_PYTHON)' harness/report/tests/test_bench_results.py

# The results tools' own checks (diff, update-expectations, the matrix,
# release timelines) on made-up runs: a second, no conformance run; in make test.
DIFF_T = $(BUILD)/tests/conformance-diff.t
$(DIFF_T): $(REPORT_MK)
	$(call test_script,the checks of harness/report/diff.py,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_diff.py))
UPDATE_EXPECTATIONS_T = $(BUILD)/tests/update-expectations.t
$(UPDATE_EXPECTATIONS_T): $(REPORT_MK)
	$(call test_script,the checks of harness/report/update_expectations.py,\
	    $(DEBIAN_PYTHON) $(abspath harness/report/tests/test_update_expectations.py))
MATRIX_T = $(BUILD)/tests/matrix.t
$(MATRIX_T): $(REPORT_MK)
	$(call test_script,the checks of harness/report/matrix.py,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_matrix.py))
HISTORY_T = $(BUILD)/tests/history.t
$(HISTORY_T): $(REPORT_MK)
	$(call test_script,the checks of harness/report/history.py,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_history.py))
TEST_PROGRAMS += $(DIFF_T) $(UPDATE_EXPECTATIONS_T) $(MATRIX_T) $(HISTORY_T)
TEST_PLAN += 'make diff: changes, maps across versions, exit status: $(DIFF_T)' \
	'make update-expectations: entries made, kept, marked, dropped: $(UPDATE_EXPECTATIONS_T)' \
	'the matrix: old and new records alike, yanked marks and origins: $(MATRIX_T)' \
	'release timelines: verdict runs, changes, releases that did not build: $(HISTORY_T)'

# Failure classes end to end: the runner carries [CLASS: CITATION] into the
# records, and matrix.py refuses a real tool's unclassified failure.
FAILURE_CLASSES_T = $(BUILD)/tests/failure-classes.t
$(FAILURE_CLASSES_T): $(REPORT_MK) harness/report/tests/failure_classes.sh
	$(call test_script,failure classes from expectation lines to the matrix,\
	    $(abspath harness/report/tests/failure_classes.sh) $(abspath $(CONFORMANCE)) $(DEBIAN_PYTHON))
TEST_PROGRAMS += $(FAILURE_CLASSES_T)
TEST_PLAN += 'failure classes: carried into the records, an unclassified real failure refused: $(FAILURE_CLASSES_T)'

# instructions.py's own checks (dump parsing, per-access figures, compare's
# verdicts, the report), on made-up files: under a second; in make test.
INSTR_T = $(BUILD)/tests/instructions.t
$(INSTR_T): $(REPORT_MK)
	$(call test_script,the checks of harness/report/instructions.py,$(DEBIAN_PYTHON) $(abspath harness/report/tests/test_instructions.py))
TEST_PROGRAMS += $(INSTR_T)
TEST_PLAN += 'instruction counts: dumps, figures, compare and report: $(INSTR_T)'
