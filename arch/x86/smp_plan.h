/*
 * The decisions of SMP bring-up that need no hardware (arch/x86/smp_plan.c),
 * unit-tested on the host (tests/unit/test_smp_plan.c).
 */
#ifndef PLINTH_SMP_PLAN_H
#define PLINTH_SMP_PLAN_H

#include <plinth/acpi.h>
#include <plinth/boot_info.h>
#include <plinth/types.h>

#define XAPIC_MAX_ID 254u /* 255 is the xAPIC broadcast id */
#define TRAMPOLINE_LOW 0x1000u   /* page 0 holds the real-mode IVT and stays unmapped */
#define TRAMPOLINE_HIGH 0x9F000u /* below the EBDA and the video/BIOS area */

struct smp_plan {
	unsigned count;      /* APIC ids in ids[] */
	uint32_t ids[ACPI_MAX_CPUS];
	unsigned over_limit; /* enabled CPUs left out by `limit` (or max_cpus) */
	unsigned unreachable; /* ids above XAPIC_MAX_ID without x2APIC */
	unsigned disabled;   /* MADT entries not enabled (off or hot-pluggable) */
};

/*
 * The CPUs to start besides the boot CPU: the MADT's enabled CPUs in table
 * order, each APIC id once (firmware may list a CPU as local APIC and local
 * x2APIC), without the boot CPU, without ids xAPIC cannot address unless
 * `x2apic`, at most `limit` CPUs in all counting the boot CPU (0 = no limit)
 * and at most `max_cpus`.
 */
void smp_plan_aps(const struct acpi_madt_info *madt, uint32_t boot_apic_id, unsigned limit,
		  unsigned max_cpus, bool x2apic, struct smp_plan *out);

/*
 * A page for the start-up code in [TRAMPOLINE_LOW, TRAMPOLINE_HIGH), the
 * highest one that the memory map says is usable RAM (and no other type
 * overlaps) and no module occupies; 0 if there is none.
 */
uint64_t smp_plan_trampoline_page(const struct boot_info *bi);

#endif
