/* The console's commands that act on a guest (admin role; docs/console.md). */
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/guest_control.h>
#include <plinth/sched.h>

#include "mgmt_console_internal.h"

/* "ok: ..." or "error: ...": one line either way, for people and scripts. */
static int report(const struct cmd_call *call, struct cmd_out *out, int err, const char *why,
		  const char *done)
{
	if (err)
		cmd_printf(out, "error: %s %s: %s\n", call->name, call->args[0], why);
	else
		cmd_printf(out, "ok: %s %s\n", call->args[0], done);
	return err;
}

int mgmt_cmd_start(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out,
		   void *ctx)
{
	const char *why = "";

	(void)c;
	(void)ctx;
	int err = guest_start_named(call->args[0], &why); /* before why is read */

	return report(call, out, err, why, "started");
}

#define GUEST_ACTION(fn, action, done)                                                      \
	int fn(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out, \
	       void *ctx)                                                                     \
	{                                                                                     \
		struct guest *g = mgmt_console_guest_arg(call, out);                            \
		const char *why = "";                                                         \
		(void)c;                                                                      \
		(void)ctx;                                                                    \
		if (!g)                                                                       \
			return -E_NOENT;                                                      \
		int err = action(g, &why); /* before why is read */                          \
		return report(call, out, err, why, done);                                     \
	}

int mgmt_cmd_stop(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out,
		  void *ctx)
{
	struct guest *g = mgmt_console_guest_arg(call, out);
	const char *why = "";

	(void)c;
	(void)ctx;
	if (!g)
		return -E_NOENT;
	int err = guest_hard_stop(g, &why);
	/* A vCPU of it running on another CPU: that CPU ends it and scrubs its memory. */
	bool done = g->state == GUEST_STOPPED && !__atomic_load_n(&g->ending, __ATOMIC_ACQUIRE);
	return report(call, out, err, why, done ? "stopped, memory scrubbed and returned" :
			"stopping: its CPU scrubs its memory (list shows when it is stopped)");
}

GUEST_ACTION(mgmt_cmd_restart, guest_hard_restart, "restarting")
GUEST_ACTION(mgmt_cmd_pause, guest_pause, "paused")
GUEST_ACTION(mgmt_cmd_resume, guest_resume, "resumed")

int mgmt_cmd_sched(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out,
		   void *ctx)
{
	struct guest *g = mgmt_console_guest_arg(call, out);
	const char *why = "";
	char done[64];

	(void)c;
	(void)ctx;
	if (!g)
		return -E_NOENT;
	unsigned weight = g->sched.weight, cap = g->sched.cap_pct;
	int w = cmd_kv_uint(call, "weight", 1, SCHED_WEIGHT_MAX, &weight, out);
	int k = cmd_kv_uint(call, "cap", 0, 100 * GUEST_MAX_VCPUS, &cap, out);
	if (w == -E_INVAL || k == -E_INVAL)
		return -E_INVAL;
	if (w == -E_NOENT && k == -E_NOENT) {
		cmd_printf(out, "error: sched: give weight=W and/or cap=C (usage: sched %s)\n",
			   c->usage);
		return -E_INVAL;
	}
	fmt_snprintf(done, sizeof(done), "weight %u cap %u", weight, cap);
	int err = guest_set_sched(g, weight, cap, &why); /* before why is read */
	return report(call, out, err, why, done);
}
