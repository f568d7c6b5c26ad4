/*
 * Boot cost (docs/bench.md): TSC ticks from Plinth's first instruction
 * (boot/entry.S stores the TSC there) to the first run of any guest's vCPU
 * (taken as the run loop starts it, a few hundred instructions before the
 * VMRUN/VMLAUNCH), logged when that first run ends, so that the logging is
 * not counted. Under QEMU's -icount shift=0 a tick is one instruction.
 */
#define LOG_TAG "boot"
#include <plinth/backend.h>
#include <plinth/guest.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>

#include "vcpu_loop_internal.h"

extern uint64_t boot_entry_tsc; /* boot/entry.S */

bool boot_cost_pending;
bool boot_cost_taken;
static uint64_t first_entry_tsc, first_entry_guest_tsc;
static const struct guest *first_guest;

void boot_cost_first_entry(struct vcpu *v)
{
	if (__atomic_exchange_n(&boot_cost_taken, true, __ATOMIC_ACQ_REL))
		return;
	first_guest = v->guest;
	first_entry_tsc = rdtsc();
	/* What the guest's RDTSC reads at its first instruction (its TSC offset). */
	first_entry_guest_tsc = first_entry_tsc + backend->creg_read(v, VCPU_TSC_OFFSET);
	__atomic_store_n(&boot_cost_pending, true, __ATOMIC_RELEASE);
}

void boot_cost_log(void)
{
	if (!__atomic_exchange_n(&boot_cost_pending, false, __ATOMIC_ACQ_REL))
		return;
	uint64_t ticks = first_entry_tsc - boot_entry_tsc;
	uint64_t mhz = time_tsc_hz() / 1000000;

	log_info("boot cost: %llu TSC ticks from Plinth's entry (TSC %llu) to the first guest entry (%s, guest TSC %llu); %llu us",
		 (unsigned long long)ticks, (unsigned long long)boot_entry_tsc,
		 first_guest->name, (unsigned long long)first_entry_guest_tsc,
		 (unsigned long long)(mhz ? ticks / mhz : 0));
}
