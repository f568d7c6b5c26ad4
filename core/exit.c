/* The one VM-exit dispatch table, and per-vCPU exit statistics. */
#define LOG_TAG "exit"
#include <plinth/exit.h>
#include <plinth/format.h>
#include <plinth/log.h>
#include <plinth/x86/pic.h>

typedef void exit_handler_fn(struct vcpu *v, const struct vm_exit *e);

static exit_handler_fn *const exit_handlers[VMEXIT_REASON_COUNT] = {
	[VMEXIT_NONE] = handle_nothing,
	[VMEXIT_CPUID] = handle_cpuid,
	[VMEXIT_IO] = handle_io,
	[VMEXIT_MSR_READ] = handle_msr_read,
	[VMEXIT_MSR_WRITE] = handle_msr_write,
	[VMEXIT_HLT] = handle_hlt,
	[VMEXIT_HYPERCALL] = handle_hypercall,
	[VMEXIT_STAGE2_FAULT] = handle_stage2_fault,
	[VMEXIT_EXTINT] = handle_extint,
	[VMEXIT_NMI] = handle_nothing,      /* likewise */
	[VMEXIT_IRQ_WINDOW] = handle_nothing, /* the run loop injects what is pending */
	[VMEXIT_EXCEPTION] = handle_exception,
	[VMEXIT_VIRT_INSN] = handle_virt_insn,
	[VMEXIT_INIT] = handle_nothing,     /* no SMP guests yet: an INIT changes nothing */
	[VMEXIT_SHUTDOWN] = handle_shutdown,
	[VMEXIT_INVALID_STATE] = handle_invalid_state,
	[VMEXIT_UNKNOWN] = handle_unknown,
	[VMEXIT_TIMER] = handle_nothing,    /* the run loop sees the budget is spent */
};

static const char *const reason_names[VMEXIT_REASON_COUNT] = {
	[VMEXIT_NONE] = "none",
	[VMEXIT_CPUID] = "cpuid",
	[VMEXIT_IO] = "io",
	[VMEXIT_MSR_READ] = "msr-read",
	[VMEXIT_MSR_WRITE] = "msr-write",
	[VMEXIT_HLT] = "hlt",
	[VMEXIT_HYPERCALL] = "hypercall",
	[VMEXIT_STAGE2_FAULT] = "stage2-fault",
	[VMEXIT_EXTINT] = "extint",
	[VMEXIT_NMI] = "nmi",
	[VMEXIT_IRQ_WINDOW] = "irq-window",
	[VMEXIT_TIMER] = "timer",
	[VMEXIT_EXCEPTION] = "exception",
	[VMEXIT_VIRT_INSN] = "virt-insn",
	[VMEXIT_INIT] = "init",
	[VMEXIT_SHUTDOWN] = "shutdown",
	[VMEXIT_INVALID_STATE] = "invalid-state",
	[VMEXIT_UNKNOWN] = "unknown",
};

const char *vm_exit_reason_name(enum vm_exit_reason r)
{
	return (unsigned)r < VMEXIT_REASON_COUNT ? reason_names[r] : "?";
}

void exit_dispatch(struct vcpu *v, const struct vm_exit *e)
{
	enum vm_exit_reason r = (unsigned)e->reason < VMEXIT_REASON_COUNT ? e->reason : VMEXIT_UNKNOWN;

	v->exits++;
	v->exit_counts[r]++;
	exit_handlers[r](v, e);
}

/* A physical interrupt is pending for the host: take it, then resume the guest. */
void handle_extint(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e;
	host_take_interrupts();
}

void handle_nothing(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e;
}

void vcpu_log_exit_stats(const struct vcpu *v)
{
	char line[400];
	size_t n = 0;

	for (unsigned r = 0; r < VMEXIT_REASON_COUNT; r++) {
		if (!v->exit_counts[r])
			continue;
		int w = fmt_snprintf(line + n, sizeof(line) - n, " %s=%llu", reason_names[r],
				     (unsigned long long)v->exit_counts[r]);
		if (w < 0 || (size_t)w >= sizeof(line) - n)
			break;
		n += (size_t)w;
	}
	line[n] = '\0';
	log_printf(LOG_INFO, "guest", "%s vcpu%u exits: total=%llu%s", v->guest->name, v->id,
		   (unsigned long long)v->exits, line);
}
