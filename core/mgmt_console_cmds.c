/*
 * The console's commands that look (list, top, info, log, version), the
 * session ones (console, login, logout) and the command table
 * (docs/console.md). CPU figures come from core/guest_usage.c.
 */
#include <plinth/backend.h>
#include <plinth/config_boot.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/frame.h>
#include <plinth/guest_usage.h>
#include <plinth/kernel.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>

#include "mgmt_console_internal.h"

#define NS_PER_S 1000000000ull

struct guest *mgmt_console_guest_arg(const struct cmd_call *call, struct cmd_out *out)
{
	struct guest *g = guest_by_name(call->args[0]);

	if (!g)
		cmd_printf(out, "error: %s: no guest named '%s' (list shows them)\n", call->name,
			   call->args[0]);
	return g;
}

static size_t index_of(const struct guest *g)
{
	for (size_t i = 0; i < guest_count(); i++)
		if (guest_by_index(i) == g)
			return i;
	return 0;
}

static const char *state_name(const struct guest *g)
{
	if (g->state == GUEST_RUNNING)
		return g->paused ? "paused" : "running";
	return g->restarting || g->ending ? "stopping" : "stopped";
}

static bool alive(const struct guest *g)
{
	return g->state == GUEST_RUNNING;
}

static uint64_t uptime_s(const struct guest *g)
{
	return alive(g) ? (time_now_ns() - g->started_ns) / NS_PER_S : 0;
}

static unsigned permille(const struct guest *g)
{
	return alive(g) ? guest_usage_of(index_of(g))->cpu_permille : 0;
}

/* A configured guest that was never made (autostart = false, or it failed). */
static bool never_made(const struct cfg_guest *cg)
{
	return guest_by_name(cg->name) == NULL;
}

static void memory_line(struct cmd_out *out, bool json)
{
	struct frame_allocator *fa = host_frames();
	uint64_t free_mib = frame_free_pages(fa) >> 8, total_mib = frame_total_pages(fa) >> 8;

	if (json)
		cmd_printf(out, "\"memory_free_mib\":%llu,\"memory_total_mib\":%llu",
			   (unsigned long long)free_mib, (unsigned long long)total_mib);
	else
		cmd_printf(out, "memory: %llu MiB free of %llu MiB\n", (unsigned long long)free_mib,
			   (unsigned long long)total_mib);
}

static void guest_json(struct cmd_out *out, const struct guest *g)
{
	unsigned pm = permille(g);

	cmd_printf(out, "{\"name\":");
	cmd_json_str(out, g->name);
	cmd_printf(out, ",\"id\":%u,\"state\":\"%s\",\"vcpus\":%u,\"memory_mib\":%llu,"
		   "\"cpu_pct\":%u.%u,\"uptime_s\":%llu,\"weight\":%u,\"cap\":%u}",
		   g->id, state_name(g), g->desc.vcpus, (unsigned long long)(g->memory >> 20),
		   pm / 10, pm % 10, (unsigned long long)uptime_s(g), g->desc.weight, g->desc.cap);
}

static void configured_json(struct cmd_out *out, const struct cfg_guest *cg)
{
	cmd_printf(out, "{\"name\":");
	cmd_json_str(out, cg->name);
	cmd_printf(out, ",\"id\":0,\"state\":\"stopped\",\"vcpus\":%u,\"memory_mib\":%llu,"
		   "\"cpu_pct\":0.0,\"uptime_s\":0,\"weight\":%u,\"cap\":%u}", cg->vcpus,
		   (unsigned long long)(cg->memory_bytes >> 20), cg->weight, cg->cap);
}

static int cmd_list(const struct console_cmd *c, const struct cmd_call *call,
		    struct cmd_out *out, void *ctx)
{
	const struct cfg *cfg = config_get();
	bool first = true;

	(void)c;
	(void)ctx;
	if (call->json) {
		cmd_printf(out, "{\"guests\":[");
		for (size_t i = 0; i < guest_count(); i++, first = false) {
			cmd_printf(out, first ? "" : ",");
			guest_json(out, guest_by_index(i));
		}
		for (unsigned i = 0; i < cfg->nguests; i++) {
			if (!never_made(&cfg->guests[i]))
				continue;
			cmd_printf(out, first ? "" : ",");
			configured_json(out, &cfg->guests[i]);
			first = false;
		}
		cmd_printf(out, "],");
		memory_line(out, true);
		cmd_printf(out, "}\n");
		return 0;
	}
	cmd_printf(out, "%-20s %3s %-8s %5s %8s %6s %9s\n", "NAME", "ID", "STATE", "VCPUS",
		   "MEMORY", "CPU%", "UPTIME");
	for (size_t i = 0; i < guest_count(); i++) {
		struct guest *g = guest_by_index(i);
		unsigned pm = permille(g);
		cmd_printf(out, "%-20s %3u %-8s %5u %7lluM %4u.%u %8llus\n", g->name, g->id,
			   state_name(g), g->desc.vcpus, (unsigned long long)(g->memory >> 20),
			   pm / 10, pm % 10, (unsigned long long)uptime_s(g));
	}
	for (unsigned i = 0; i < cfg->nguests; i++)
		if (never_made(&cfg->guests[i]))
			cmd_printf(out, "%-20s %3s %-8s %5u %7lluM %6s %9s\n", cfg->guests[i].name,
				   "-", "stopped", cfg->guests[i].vcpus,
				   (unsigned long long)(cfg->guests[i].memory_bytes >> 20), "-", "-");
	memory_line(out, false);
	return 0;
}

void mgmt_console_print_top(struct cmd_out *out)
{
	cmd_printf(out, "top at %llus (a key stops it): CPU%% of one CPU over the last second\n",
		   (unsigned long long)(time_now_ns() / NS_PER_S));
	cmd_printf(out, "%-20s %-8s %6s %-24s %9s %8s  %s\n", "NAME", "STATE", "CPU%", "VCPU CPU%",
		   "EXITS/S", "MEMORY", "TOP EXITS/S");
	for (size_t i = 0; i < guest_count(); i++) {
		struct guest *g = guest_by_index(i);
		const struct guest_usage *u = guest_usage_of(i);
		char vcpus[32] = "", kinds[96] = "";
		size_t n = 0, k = 0;
		for (unsigned v = 0; v < g->desc.vcpus && alive(g); v++)
			n += (size_t)fmt_snprintf(vcpus + n, sizeof(vcpus) - MIN(n, sizeof(vcpus)),
						  "%s%u.%u", v ? " " : "", u->vcpu_permille[v] / 10,
						  u->vcpu_permille[v] % 10);
		for (unsigned r = 0; r < VMEXIT_REASON_COUNT && alive(g) && k < sizeof(kinds); r++)
			if (u->exit_rate[r])
				k += (size_t)fmt_snprintf(kinds + k, sizeof(kinds) - k, "%s%s=%llu",
							  k ? " " : "",
							  vm_exit_reason_name((enum vm_exit_reason)r),
							  (unsigned long long)u->exit_rate[r]);
		unsigned pm = permille(g);
		cmd_printf(out, "%-20s %-8s %4u.%u %-24s %9llu %7lluM  %s\n", g->name, state_name(g),
			   pm / 10, pm % 10, alive(g) ? vcpus : "-",
			   (unsigned long long)(alive(g) ? u->exits_per_s : 0),
			   (unsigned long long)(g->memory >> 20), kinds);
	}
	memory_line(out, false);
}

static int cmd_top(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out,
		   void *ctx)
{
	(void)c;
	(void)call;
	(void)ctx;
	mgmt_console_print_top(out);
	mgmt_console_top();
	return 0;
}

static void info_json(struct cmd_out *out, const struct guest *g)
{
	const struct guest_usage *u = guest_usage_of(index_of(g));
	bool first = true;

	cmd_printf(out, "{\"guest\":");
	guest_json(out, g);
	cmd_printf(out, ",\"vcpu_cpu_pct\":[");
	for (unsigned v = 0; v < g->desc.vcpus; v++) {
		unsigned pm = alive(g) ? u->vcpu_permille[v] : 0;
		cmd_printf(out, "%s%u.%u", v ? "," : "", pm / 10, pm % 10);
	}
	cmd_printf(out, "],\"exits_per_s\":{");
	for (unsigned r = 0; r < VMEXIT_REASON_COUNT && alive(g); r++) {
		if (!u->exit_rate[r])
			continue;
		cmd_printf(out, "%s\"%s\":%llu", first ? "" : ",",
			   vm_exit_reason_name((enum vm_exit_reason)r),
			   (unsigned long long)u->exit_rate[r]);
		first = false;
	}
	cmd_printf(out, "},\"exits_per_s_total\":%llu,\"restarts\":%u,\"serial\":",
		   (unsigned long long)(alive(g) ? u->exits_per_s : 0), g->restarts);
	cmd_json_str(out, g->desc.serial);
	cmd_printf(out, ",\"stop_reason\":");
	cmd_json_str(out, alive(g) ? "" : g->stop_reason);
	cmd_printf(out, ",\"console_buffered\":%zu}\n", byte_ring_used(&g->console_ring));
}

static int cmd_info(const struct console_cmd *c, const struct cmd_call *call,
		    struct cmd_out *out, void *ctx)
{
	struct guest *g = mgmt_console_guest_arg(call, out);

	(void)c;
	(void)ctx;
	if (!g)
		return -E_NOENT;
	if (call->json) {
		info_json(out, g);
		return 0;
	}
	const struct guest_usage *u = guest_usage_of(index_of(g));
	unsigned pm = permille(g);
	cmd_printf(out, "%s: guest %u, %s, up %llus\n", g->name, g->id, state_name(g),
		   (unsigned long long)uptime_s(g));
	cmd_printf(out, "  memory %llu MiB, %u vCPU(s), weight %u, cap %u%%, serial %s\n",
		   (unsigned long long)(g->memory >> 20), g->desc.vcpus, g->desc.weight,
		   g->desc.cap, g->desc.serial);
	cmd_printf(out, "  CPU %u.%u%% over the last second", pm / 10, pm % 10);
	for (unsigned v = 0; v < g->desc.vcpus && alive(g); v++)
		cmd_printf(out, ", vcpu%u %u.%u%%", v, u->vcpu_permille[v] / 10,
			   u->vcpu_permille[v] % 10);
	cmd_printf(out, "\n  exits/s %llu", (unsigned long long)(alive(g) ? u->exits_per_s : 0));
	for (unsigned r = 0; r < VMEXIT_REASON_COUNT && alive(g); r++)
		if (u->exit_rate[r])
			cmd_printf(out, ", %s %llu", vm_exit_reason_name((enum vm_exit_reason)r),
				   (unsigned long long)u->exit_rate[r]);
	cmd_printf(out, "\n  restarts in a row %u, console output kept %zu bytes\n", g->restarts,
		   byte_ring_used(&g->console_ring));
	if (!alive(g))
		cmd_printf(out, "  stopped: %s (exit code %d)\n", g->stop_reason, g->exit_code);
	return 0;
}

static int cmd_log(const struct console_cmd *c, const struct cmd_call *call, struct cmd_out *out,
		   void *ctx)
{
	static char copy[16384];
	size_t n = log_ring_copy(copy, sizeof(copy));

	(void)c;
	(void)call;
	(void)ctx;
	cmd_printf(out, "--- the last %zu bytes of the log ---\n", n);
	cmd_write(out, copy, n);
	cmd_printf(out, "--- end of the log ---\n");
	return 0;
}

static int cmd_stats(const struct console_cmd *c, const struct cmd_call *call,
		     struct cmd_out *out, void *ctx)
{
	(void)c;
	(void)call;
	(void)ctx;
	(void)out;
	vcpu_loop_log_stats();
	return 0;
}

static int cmd_version(const struct console_cmd *c, const struct cmd_call *call,
		       struct cmd_out *out, void *ctx)
{
	(void)c;
	(void)call;
	(void)ctx;
	cmd_printf(out, "Plinth %s on %s, %u CPU(s), up %llus\n", PLINTH_VERSION,
		   backend->long_name, cpu_count_online(),
		   (unsigned long long)(time_now_ns() / NS_PER_S));
	return 0;
}

static int cmd_console(const struct console_cmd *c, const struct cmd_call *call,
		       struct cmd_out *out, void *ctx)
{
	struct guest *g = mgmt_console_guest_arg(call, out);

	(void)c;
	(void)ctx;
	if (!g)
		return -E_NOENT;
	if (!alive(g)) {
		cmd_printf(out, "error: console: %s is not running\n", g->name);
		return -E_BUSY;
	}
	mgmt_console_attach(g, out);
	return 0;
}

static int cmd_login(const struct console_cmd *c, const struct cmd_call *call,
		     struct cmd_out *out, void *ctx)
{
	(void)c;
	(void)call;
	(void)ctx;
	mgmt_console_login(out);
	return 0;
}

static int cmd_logout(const struct console_cmd *c, const struct cmd_call *call,
		      struct cmd_out *out, void *ctx)
{
	(void)c;
	(void)call;
	(void)ctx;
	mgmt_console_logout(out);
	return 0;
}

static const char *const sched_keys[] = { "weight", "cap", NULL };

const struct console_cmd mgmt_commands[] = {
	{ "list", "[--json]", "every guest: id, state, vCPUs, memory, CPU %, uptime",
	  CONSOLE_OBSERVER, 0, 0, NULL, true, cmd_list },
	{ "top", "", "the list with CPU % per vCPU and exits/s, each second until a key",
	  CONSOLE_OBSERVER, 0, 0, NULL, false, cmd_top },
	{ "info", "NAME [--json]", "one guest in detail", CONSOLE_OBSERVER, 1, 1, NULL, true,
	  cmd_info },
	{ "console", "NAME", "attach to a guest's console (observers: read-only); "
	  "the escape key comes back", CONSOLE_OBSERVER, 1, 1, NULL, false, cmd_console },
	{ "log", "", "the hypervisor's recent log", CONSOLE_OBSERVER, 0, 0, NULL, false, cmd_log },
	{ "stats", "", "log every guest's scheduling and exit statistics", CONSOLE_OBSERVER, 0, 0,
	  NULL, false, cmd_stats },
	{ "version", "", "Plinth's version, backend and CPUs", CONSOLE_OBSERVER, 0, 0, NULL, false,
	  cmd_version },
	{ "login", "", "become admin (asks for the password)", CONSOLE_OBSERVER, 0, 0, NULL, false,
	  cmd_login },
	{ "logout", "", "back to observer", CONSOLE_OBSERVER, 0, 0, NULL, false, cmd_logout },
	{ "start", "NAME", "start a configured guest that is not running", CONSOLE_ADMIN, 1, 1,
	  NULL, false, mgmt_cmd_start },
	{ "stop", "NAME", "hard stop; its memory is scrubbed and returned", CONSOLE_ADMIN, 1, 1,
	  NULL, false, mgmt_cmd_stop },
	{ "restart", "NAME", "stop, then start again with fresh memory", CONSOLE_ADMIN, 1, 1,
	  NULL, false, mgmt_cmd_restart },
	{ "pause", "NAME", "take its vCPUs off the CPUs until resume", CONSOLE_ADMIN, 1, 1, NULL,
	  false, mgmt_cmd_pause },
	{ "resume", "NAME", "let a paused guest run again", CONSOLE_ADMIN, 1, 1, NULL, false,
	  mgmt_cmd_resume },
	{ "sched", "NAME [weight=W] [cap=C]", "set its scheduler weight (1-65535) and cap "
	  "(percent of one CPU, 0 = none), at once", CONSOLE_ADMIN, 1, 1, sched_keys, false,
	  mgmt_cmd_sched },
};
const size_t mgmt_command_count = ARRAY_SIZE(mgmt_commands);
