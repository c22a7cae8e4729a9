// The C API of gbench.h over Google Benchmark 1.7.1. Kept thin on purpose.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <algorithm>

struct gb_state {
    benchmark::State *s;
};

extern "C" void gb_register(const char *name, gb_fn fn, void *user, int64_t iterations)
{
    auto *b = benchmark::RegisterBenchmark(name, [fn, user](benchmark::State &st) {
        gb_state s{&st};
        fn(&s, user);
    });
    if (iterations > 0)
        b->Iterations(iterations);
}

extern "C" int64_t gb_keep_running_batch(gb_state *s, int64_t batch)
{
    benchmark::State &st = *s->s;
    // Never overshoot: fixed-count runs and per-iteration counters divide
    // by the count the library asked for.
    int64_t left = (int64_t)st.max_iterations - (int64_t)st.iterations();
    int64_t n = std::max<int64_t>(1, std::min(batch, left));
    return st.KeepRunningBatch(n) ? n : 0;
}

extern "C" void gb_pause(gb_state *s) { s->s->PauseTiming(); }
extern "C" void gb_resume(gb_state *s) { s->s->ResumeTiming(); }
extern "C" int64_t gb_iterations(const gb_state *s) { return (int64_t)s->s->iterations(); }
extern "C" int64_t gb_max_iterations(const gb_state *s) { return (int64_t)s->s->max_iterations; }

extern "C" void gb_counter(gb_state *s, const char *name, double value, int flags)
{
    benchmark::Counter::Flags f = benchmark::Counter::kDefaults;
    if (flags & GB_COUNTER_PER_ITERATION)
        f = benchmark::Counter::Flags(f | benchmark::Counter::kAvgIterations);
    if (flags & GB_COUNTER_RATE)
        f = benchmark::Counter::Flags(f | benchmark::Counter::kIsRate);
    s->s->counters[name] = benchmark::Counter(value, f);
}

extern "C" void gb_label(gb_state *s, const char *label) { s->s->SetLabel(label); }
extern "C" void gb_error(gb_state *s, const char *message) { s->s->SkipWithError(message); }

extern "C" int gb_main(int *argc, char **argv)
{
    benchmark::Initialize(argc, argv);
    if (benchmark::ReportUnrecognizedArguments(*argc, argv))
        return -1;
    int n = (int)benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return n;
}
