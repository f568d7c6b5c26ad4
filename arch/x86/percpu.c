/*
 * Per-CPU data: where each CPU's block is, and which CPUs are online. See
 * include/plinth/percpu.h for why the block is found from RSP.
 */
#define LOG_TAG "smp"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/paging.h>
#include <plinth/percpu.h>
#include <plinth/string.h>

_Static_assert(sizeof(struct percpu) <= CPU_PERCPU_SIZE, "struct percpu outgrew its block");
_Static_assert(CPU_BLOCK_SIZE == 0x20000, "linker.ld aligns boot_stacks to 0x20000: change both");

/* Blocks by CPU index; written before a CPU starts, read-only afterwards. */
static uintptr_t cpu_blocks[MAX_CPUS];
static unsigned online_count;

unsigned cpu_count_online(void)
{
	return __atomic_load_n(&online_count, __ATOMIC_ACQUIRE);
}

struct percpu *percpu_of(unsigned n)
{
	if (n >= MAX_CPUS || !cpu_blocks[n])
		return NULL;
	return percpu_in_block(cpu_blocks[n]);
}

void percpu_init_boot(uint32_t apic_id)
{
	struct percpu *pc = this_cpu();

	cpu_blocks[0] = (uintptr_t)boot_stacks;
	pc->cpu = 0;
	pc->apic_id = apic_id;
	percpu_set_online();
}

int percpu_alloc_block(unsigned n, uint32_t apic_id, uintptr_t *block)
{
	paddr_t pa;
	int err;

	if (n == 0 || n >= MAX_CPUS || cpu_blocks[n])
		return -E_INVAL;
	err = page_alloc(CPU_BLOCK_ORDER, &pa);
	if (err)
		return err;
	uintptr_t b = (uintptr_t)phys_to_virt(pa);
	for (unsigned s = 0; err == 0 && s < STACK_COUNT; s++)
		err = paging_unmap_guard(block_guard_page(b, s));
	if (err) {
		/* Half-unmapped frames must not go back to the allocator. */
		log_error("CPU %u: cannot unmap its stack guard pages: %s (block leaked)", n,
			  err_name(err));
		return err;
	}
	struct percpu *pc = percpu_in_block(b);
	memset(pc, 0, sizeof(*pc));
	pc->cpu = n;
	pc->apic_id = apic_id;
	cpu_blocks[n] = b;
	*block = b;
	return 0;
}

void percpu_forget_block(unsigned n)
{
	if (n > 0 && n < MAX_CPUS)
		cpu_blocks[n] = 0;
}

void percpu_set_online(void)
{
	this_cpu()->online = true;
	__atomic_fetch_add(&online_count, 1, __ATOMIC_RELEASE);
}

bool percpu_guard_page_owner(uint64_t addr, unsigned *cpu, unsigned *stack)
{
	for (unsigned n = 0; n < MAX_CPUS; n++) {
		uintptr_t b = n == 0 ? (uintptr_t)boot_stacks : cpu_blocks[n];

		for (unsigned s = 0; b && s < STACK_COUNT; s++) {
			if (addr - block_guard_page(b, s) < PAGE_SIZE) {
				*cpu = n;
				*stack = s;
				return true;
			}
		}
	}
	return false;
}

bool percpu_on_own_stacks(uint64_t addr, uint64_t len)
{
	uintptr_t b = cpu_block_of_sp((uintptr_t)this_cpu());

	for (unsigned s = 0; s < STACK_COUNT; s++) {
		uint64_t lo = block_guard_page(b, s) + PAGE_SIZE, hi = block_stack_top(b, s);

		if (addr >= lo && addr + len <= hi)
			return true;
	}
	return false;
}
