/*
 * Runs the guests' vCPUs on this CPU, round-robin, until every guest has
 * stopped. A vCPU runs until it yields, halts or stops, or for a slice of
 * exits. (A guest that never exits keeps the CPU: preemption comes with the
 * scheduler.) Pending interrupts are delivered here, on the way in.
 */
#define LOG_TAG "vcpu"
#include <plinth/backend.h>
#include <plinth/exit.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/vcpu_loop.h>

#define SLICE_EXITS 1024
#define RFLAGS_IF (1ULL << 9)
#define FXSAVE_FCW_DEFAULT 0x037F
#define FXSAVE_MXCSR_OFFSET 24
#define MXCSR_DEFAULT 0x1F80

static struct vcpu *fpu_owner;

void vcpu_fpu_init(struct vcpu *v)
{
	uint16_t fcw = FXSAVE_FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	memset(v->fpu, 0, sizeof(v->fpu));
	memcpy(v->fpu, &fcw, sizeof(fcw));
	memcpy(v->fpu + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	v->fpu_valid = true;
}

/* The hypervisor never uses the FPU, so guest state only moves on a vCPU switch. */
static void fpu_switch_to(struct vcpu *v)
{
	if (fpu_owner == v)
		return;
	if (fpu_owner)
		__asm__ volatile("fxsave64 %0" : "=m"(fpu_owner->fpu));
	__asm__ volatile("fxrstor64 %0" : : "m"(v->fpu));
	fpu_owner = v;
}

/* Interrupts raised for the guest (HC_RAISE_IRQ, later devices) go in when it can take them. */
static void deliver_pending_irq(struct vcpu *v)
{
	struct guest *g = v->guest;

	if (!g->pending_irq_vector || v->id != 0)
		return;
	if (!backend->irq_ready(v)) {
		if (v->state == VCPU_RUNNABLE)
			backend->irq_window(v, true);
		return;
	}
	struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)g->pending_irq_vector, false, 0 };
	if (backend->inject(v, &ev) == 0) {
		g->pending_irq_vector = 0;
		backend->irq_window(v, false);
		if (v->state == VCPU_HALTED)
			v->state = VCPU_RUNNABLE;
	}
}

static void run_slice(struct vcpu *v)
{
	struct vm_exit e;

	fpu_switch_to(v);
	for (unsigned n = 0; n < SLICE_EXITS && v->state == VCPU_RUNNABLE && !v->yield; n++) {
		deliver_pending_irq(v);
		backend->vcpu_run(v, &e);
		exit_dispatch(v, &e);
	}
	v->yield = false;
}

/* Halted vCPUs that nothing can wake (no device raises interrupts yet). */
static void stop_sleepers(void)
{
	for (size_t i = 0; i < guest_count(); i++) {
		struct guest *g = guest_by_index(i);
		if (g->state == GUEST_RUNNING)
			guest_stop(g, -1, "all vCPUs halted waiting for an interrupt no device can raise");
	}
}

void vcpu_loop_run_all(void)
{
	for (;;) {
		bool alive = false, ran = false;

		for (size_t i = 0; i < guest_count(); i++) {
			struct guest *g = guest_by_index(i);
			for (unsigned j = 0; j < g->vcpu_count; j++) {
				struct vcpu *v = &g->vcpus[j];
				if (v->state == VCPU_STOPPED)
					continue;
				alive = true;
				if (v->state == VCPU_HALTED)
					deliver_pending_irq(v); /* may wake it; run_slice does the rest */
				if (v->state != VCPU_RUNNABLE)
					continue;
				run_slice(v);
				ran = true;
			}
		}
		if (!alive)
			return;
		if (!ran)
			stop_sleepers();
	}
}
