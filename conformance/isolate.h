/* Runs one property in a forked child with a watchdog, so a crash, a
 * deadlock or a hang is that test's failure with a reason, and the run
 * goes on. */
#ifndef CF_ISOLATE_H
#define CF_ISOLATE_H

#include "cf.h"

/* Fills ctx->reason and returns the status; never crashes or hangs longer
 * than `timeout` seconds. */
cf_status cf_run_isolated(const cf_property *p, cf_ctx *ctx, double timeout);

#endif
