// The C API of gbench.h over Google Benchmark 1.7.1. Kept thin on purpose.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <set>
#include <stdio.h>
#include <string>
#include <time.h>

struct gb_state {
    benchmark::State *s;
    int64_t batches;      // since the last sample
    int64_t every;        // batches between samples (from the batches' measured cost)
    double last;          // thread CPU seconds when the last sample ended
    double sum;           // of the samples in this run
    int samples;
    bool off;             // gb_no_samples: none in this run
    gb_fixed_run *fixed;  // gb_run_fixed: no benchmark::State, a fixed count
    int64_t done;         // iterations handed out (fixed runs)
    bool in_region;       // between region(1) and region(0) (fixed runs)
};

static gb_sampler sampler;
static double sample_every;

static double thread_seconds()
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

extern "C" void gb_set_sampler(gb_sampler fn, double every_seconds)
{
    sampler = fn;
    sample_every = every_seconds;
}

extern "C" void gb_register(const char *name, gb_fn fn, void *user, int64_t iterations)
{
    auto *b = benchmark::RegisterBenchmark(name, [fn, user](benchmark::State &st) {
        gb_state s{&st, 0, 1, thread_seconds(), 0, 0, false, nullptr, 0, false};
        fn(&s, user);
    });
    if (iterations > 0)
        b->Iterations(iterations);
}

// A fixed run's region opens and closes at most once each way.
static void fixed_region(gb_state *s, bool on)
{
    if (s->in_region != on && s->fixed->region)
        s->fixed->region(s->fixed->ctx, on);
    s->in_region = on;
}

extern "C" void gb_run_fixed(gb_fn fn, void *user, gb_fixed_run *run)
{
    gb_state s{nullptr, 0, 1, 0, 0, 0, true, run, 0, false};
    run->error[0] = 0;
    fn(&s, user);
    fixed_region(&s, false);   // a body that stopped early (an error)
}

static int64_t fixed_batch(gb_state *s, int64_t batch)
{
    int64_t left = s->fixed->iterations - s->done;
    if (left <= 0 || s->fixed->error[0]) {
        fixed_region(s, false);
        return 0;
    }
    int64_t n = std::max<int64_t>(1, std::min(batch, left));
    s->done += n;
    fixed_region(s, true);
    return n;
}

extern "C" int64_t gb_keep_running_batch(gb_state *s, int64_t batch)
{
    if (s->fixed)
        return fixed_batch(s, batch);
    benchmark::State &st = *s->s;
    // Never overshoot: fixed-count runs and per-iteration counters divide
    // by the count the library asked for.
    int64_t left = (int64_t)st.max_iterations - (int64_t)st.iterations();
    int64_t n = std::max<int64_t>(1, std::min(batch, left));
    if (!st.KeepRunningBatch(n))
        return 0;
    // The sampler runs between batches with the timer stopped, at even
    // steps of the thread's CPU time, so its samples see the machine as the
    // timed batches around them do. The timed path only counts batches
    // (a clock read there would be timed: a syscall, 0.7 ns per iteration of
    // the pointer-chase floor); the clock is read with the timer stopped,
    // and the batches' cost so far sets how many to run before the next.
    if (sampler && !s->off && ++s->batches >= s->every) {
        st.PauseTiming();
        double now = thread_seconds(), per_batch = (now - s->last) / (double)s->batches;
        s->every = per_batch > 0 ? std::max<int64_t>(1, (int64_t)(sample_every / per_batch)) : 1;
        double x = sampler();
        if (x > 0)
            s->sum += x, s->samples++;
        s->batches = 0;
        s->last = thread_seconds();
        st.ResumeTiming();
    }
    return n;
}

extern "C" void gb_no_samples(gb_state *s) { s->off = true; }

extern "C" int gb_samples(const gb_state *s, double *sum)
{
    *sum = s->sum;
    return s->samples;
}

extern "C" void gb_pause(gb_state *s)
{
    if (s->fixed)
        return fixed_region(s, false);
    s->s->PauseTiming();
}

extern "C" void gb_resume(gb_state *s)
{
    if (s->fixed)
        return fixed_region(s, true);
    s->s->ResumeTiming();
}

extern "C" int64_t gb_iterations(const gb_state *s) { return s->fixed ? s->done : (int64_t)s->s->iterations(); }
extern "C" int64_t gb_max_iterations(const gb_state *s)
{
    return s->fixed ? s->fixed->iterations : (int64_t)s->s->max_iterations;
}

extern "C" void gb_counter(gb_state *s, const char *name, double value, int flags)
{
    if (s->fixed) {
        if (s->fixed->counter)
            s->fixed->counter(s->fixed->ctx, name, value, flags);
        return;
    }
    benchmark::Counter::Flags f = benchmark::Counter::kDefaults;
    if (flags & GB_COUNTER_PER_ITERATION)
        f = benchmark::Counter::Flags(f | benchmark::Counter::kAvgIterations);
    if (flags & GB_COUNTER_RATE)
        f = benchmark::Counter::Flags(f | benchmark::Counter::kIsRate);
    s->s->counters[name] = benchmark::Counter(value, f);
}

extern "C" void gb_label(gb_state *s, const char *label)
{
    if (!s->fixed)
        s->s->SetLabel(label);
}

extern "C" void gb_error(gb_state *s, const char *message)
{
    if (s->fixed)
        snprintf(s->fixed->error, sizeof s->fixed->error, "%s", message);
    else
        s->s->SkipWithError(message);
}

// The console reporter of gb_console_failures_only: no rows, no context
// block (its DEBUG-library warning would come once per process; the JSON
// keeps library_build_type); each failed benchmark once, however many of
// its repetitions failed.
class FailuresOnly : public benchmark::BenchmarkReporter {
public:
    explicit FailuresOnly(gb_failure_fn failed) : failed_(failed) {}
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const Run &r : runs) {
            std::string name = r.benchmark_name();
            if (r.error_occurred && told_.insert(name).second)
                failed_(name.c_str(), r.error_message.c_str());
        }
    }

private:
    gb_failure_fn failed_;
    std::set<std::string> told_;
};

static gb_failure_fn console_failures;

extern "C" void gb_console_failures_only(gb_failure_fn failed) { console_failures = failed; }

extern "C" int gb_main(int *argc, char **argv)
{
    benchmark::Initialize(argc, argv);
    if (benchmark::ReportUnrecognizedArguments(*argc, argv))
        return -1;
    FailuresOnly quiet(console_failures);
    int n = (int)(console_failures ? benchmark::RunSpecifiedBenchmarks(&quiet)
                                   : benchmark::RunSpecifiedBenchmarks());
    benchmark::Shutdown();
    return n;
}
