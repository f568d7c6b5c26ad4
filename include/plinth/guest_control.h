/*
 * Acting on guests while the others run (the management console,
 * docs/console.md). Each call touches only the guest it names. Results:
 * 0, or -E_BUSY (not in a state that allows it; *why says which),
 * -E_NOENT (no such guest), -E_INVAL (bad values) or the error of the
 * step that failed.
 */
#ifndef PLINTH_GUEST_CONTROL_H
#define PLINTH_GUEST_CONTROL_H

#include <plinth/guest.h>

/* Its vCPUs leave their pCPUs and nothing wakes them until guest_resume. */
int guest_pause(struct guest *g, const char **why);
int guest_resume(struct guest *g, const char **why);
/* Hard stop: its memory is scrubbed and returned to the pool. */
int guest_hard_stop(struct guest *g, const char **why);
/* Stop, then make it again from its image with fresh memory. */
int guest_hard_restart(struct guest *g, const char **why);
/* A configured guest that is not running: made again, or made the first time. */
int guest_start_named(const char *name, const char **why);
/* New weight and cap, in force at once (sched_dom_set). */
int guest_set_sched(struct guest *g, unsigned weight, unsigned cap, const char **why);

#endif
