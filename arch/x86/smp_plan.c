/* Which CPUs to start and where the start-up code goes (see smp_plan.h). */
#include <plinth/string.h>

#include "smp_plan.h"

#define PLAN_PAGE 4096u

static bool planned(const struct smp_plan *p, uint32_t apic_id)
{
	for (unsigned i = 0; i < p->count; i++)
		if (p->ids[i] == apic_id)
			return true;
	return false;
}

void smp_plan_aps(const struct acpi_madt_info *madt, uint32_t boot_apic_id, unsigned limit,
		  unsigned max_cpus, bool x2apic, struct smp_plan *out)
{
	unsigned cap = max_cpus;

	memset(out, 0, sizeof(*out));
	if (limit && limit < cap)
		cap = limit;
	if (cap > ACPI_MAX_CPUS + 1)
		cap = ACPI_MAX_CPUS + 1;
	for (unsigned i = 0; i < madt->ncpus && i < ACPI_MAX_CPUS; i++) {
		const struct acpi_cpu *c = &madt->cpus[i];

		if (!c->enabled) {
			out->disabled++;
			continue;
		}
		if (c->apic_id == boot_apic_id || planned(out, c->apic_id))
			continue;
		if (!x2apic && c->apic_id > XAPIC_MAX_ID) {
			out->unreachable++;
			continue;
		}
		if (1 + out->count >= cap) {
			out->over_limit++;
			continue;
		}
		out->ids[out->count++] = c->apic_id;
	}
}

static bool overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static bool page_is_free_low_ram(const struct boot_info *bi, uint64_t page)
{
	bool usable = false;

	for (size_t i = 0; i < bi->mem_count && i < BOOT_MAX_MEM_REGIONS; i++) {
		const struct mem_region *r = &bi->mem[i];

		if (!overlaps(page, PLAN_PAGE, r->base, r->size))
			continue;
		if (r->type != MEM_USABLE)
			return false;
		usable |= r->base <= page && page + PLAN_PAGE <= r->base + r->size;
	}
	for (size_t i = 0; i < bi->module_count && i < BOOT_MAX_MODULES; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end > m->start && overlaps(page, PLAN_PAGE, m->start, m->end - m->start))
			return false;
	}
	return usable;
}

uint64_t smp_plan_trampoline_page(const struct boot_info *bi)
{
	for (uint64_t page = TRAMPOLINE_HIGH - PLAN_PAGE; page >= TRAMPOLINE_LOW; page -= PLAN_PAGE)
		if (page_is_free_low_ram(bi, page))
			return page;
	return 0;
}
