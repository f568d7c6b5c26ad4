/*
 * What happens after a guest stopped and left the scheduler: its on_crash
 * after a crash or a reboot request (docs/guests.md), else its memory back.
 */
#define LOG_TAG "sched"
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>

#include "vcpu_loop_internal.h"

/*
 * on_crash = restart: make it again, unless it keeps crashing; the console's
 * restart always. *what says what happened.
 */
static void guest_ended_restart(struct guest *g, enum guest_on_crash *what)
{
	if (g->restart_asked) {
		g->restart_asked = false;
		g->restarts = 0;
		*what = GUEST_ON_CRASH_RESTART;
		log_info("%s: restarting (asked on the console)", g->name);
	} else if (*what != GUEST_ON_CRASH_RESTART) {
		return;
	} else {
		if (time_now_ns() - g->started_ns >= GUEST_RESTART_CALM_NS)
			g->restarts = 0;
		if (++g->restarts > GUEST_RESTART_LIMIT) {
			log_error("%s: crashed %u times in a row: not restarted again (on_crash = restart)",
				  g->name, g->restarts);
			*what = GUEST_ON_CRASH_DESTROY;
			return;
		}
		log_info("%s: restarting (on_crash = restart, restart %u of at most %u in a row)",
			 g->name, g->restarts, GUEST_RESTART_LIMIT);
	}
	if (guest_restart(g) != 0) {
		*what = GUEST_ON_CRASH_DESTROY;
		return;
	}
	/* Before it can run (and crash) again: a new crash sets the flag anew. */
	__atomic_store_n(&g->restarting, false, __ATOMIC_RELEASE);
	if (vcpu_loop_add_guest(g, g->desc.weight, g->desc.cap, g->desc.affinity) != 0) {
		guest_stop(g, -1, "it cannot be scheduled after its restart");
		*what = GUEST_ON_CRASH_DESTROY;
	}
}

/*
 * A guest has stopped and left the scheduler; outside sched_lock (this
 * scrubs memory): on_crash decides after a crash or a reboot request, any
 * other stop gives its memory back at once.
 */
void guest_ended(struct guest *g)
{
	enum guest_on_crash what = g->crashed ? g->desc.on_crash : GUEST_ON_CRASH_DESTROY;

	guest_ended_restart(g, &what);
	if (what != GUEST_ON_CRASH_RESTART) {
		__atomic_store_n(&g->restarting, false, __ATOMIC_RELEASE);
		if (what == GUEST_ON_CRASH_PRESERVE)
			log_info("%s: memory kept for inspection (on_crash = preserve, %llu MiB)",
				 g->name, (unsigned long long)(g->memory >> 20));
		else
			guest_destroy(g);
	}
	__atomic_store_n(&g->ending, false, __ATOMIC_RELEASE);
}


