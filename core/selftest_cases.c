/* The self-tests themselves; see core/selftest.c for how they run. */
#define LOG_TAG "test"
#include <plinth/boot_info.h>
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/backend.h>
#include <plinth/exit.h>
#include <plinth/guest.h>
#include <plinth/heap.h>
#include <plinth/kernel.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>
#include <plinth/x86/layout.h>

#include "selftest_cases.h"

#define X2APIC_ID_MSR 0x802u
#define X2APIC_EOI_MSR 0x80Bu
#define UNMAPPED_ADDRESS 0x0000700000000000ULL /* canonical, never mapped */

static bool st_boot(void)
{
	return true;
}

static bool st_panic(void)
{
	panic("self-test: deliberate panic (code %d)", 42);
}

static bool st_fault(void)
{
	volatile uint64_t *p = (volatile uint64_t *)UNMAPPED_ADDRESS;

	log_info("reading %#llx, which is not mapped", UNMAPPED_ADDRESS);
	return *p == 0;
}

static bool st_null(void)
{
	volatile uint64_t *volatile p = NULL;

	return *p == 0;
}

static bool st_write_text(void)
{
	volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)st_boot;

	log_info("writing to the hypervisor's code at %p", (void *)(uintptr_t)code);
	*code = 0xCC;
	return false;
}

static bool st_write_rodata(void)
{
	static const char message[] = "read-only";
	volatile char *p = (volatile char *)(uintptr_t)message;

	log_info("writing to read-only data at %p", (void *)(uintptr_t)p);
	p[0] = 'R';
	return false;
}

static uint8_t data_code[16] __aligned(16);

static bool st_exec_data(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	data_code[0] = 0xC3; /* ret */
	log_info("calling code placed in data at %p", (void *)(uintptr_t)data_code);
	fn();
	return false;
}

/* The limit is never reached: the stack is far smaller than 1 GiB. */
static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
	volatile uint8_t pad[256];

	pad[0] = (uint8_t)depth;
	if (depth > (1u << 30) / sizeof(pad))
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static bool st_stack_overflow(void)
{
	log_info("recursing until the boot stack runs into its guard page");
	return recurse(0) == 0;
}

static bool st_ud(void)
{
	__asm__ volatile("ud2");
	return false;
}

static bool st_fixup(void)
{
	uint64_t v = 0;
	int gp = read_u64_safe(0x8000000000000000ULL, &v); /* non-canonical: #GP */
	int pf = read_u64_safe(UNMAPPED_ADDRESS, &v);        /* not mapped: #PF */
	int ok = read_u64_safe((uint64_t)(uintptr_t)&selftest_count, &v);

	log_info("read_u64_safe: non-canonical %d, unmapped %d, mapped %d (value %lu)", gp, pf,
		 ok, (unsigned long)v);
	return gp == -E_FAULT && pf == -E_FAULT && ok == 0 && v == selftest_count;
}

/* INT 2 enters through the NMI gate (IST stack) like a real NMI would. */
static bool st_nmi(void)
{
	uint64_t before = host_nmi_count();

	__asm__ volatile("int $2" ::: "memory");
	log_info("NMI gate: %lu -> %lu, still running", (unsigned long)before,
		 (unsigned long)host_nmi_count());
	return host_nmi_count() == before + 1;
}

static bool st_rdmsr_safe(void)
{
	uint64_t v = 0;
	/*
	 * An MSR that must raise #GP on hardware, QEMU and Bochs alike (which
	 * read most unknown MSRs as 0 instead): an x2APIC register while the
	 * APIC is in xAPIC mode, or, once Plinth has switched it to x2APIC
	 * mode, the write-only EOI register.
	 */
	bool x2apic = lapic_is_x2apic();
	uint32_t msr = x2apic ? X2APIC_EOI_MSR : X2APIC_ID_MSR;
	int err = rdmsr_safe(msr, &v);

	if (err != -E_FAULT) {
		log_error("rdmsr_safe(%#x, %s) returned %d, expected %d", msr,
			  x2apic ? "x2APIC EOI, write-only" : "x2APIC ID in xAPIC mode", err, -E_FAULT);
		return false;
	}
	if (rdmsr_safe(MSR_EFER, &v) != 0 || !(v & EFER_LME)) {
		log_error("rdmsr_safe(EFER) failed or LME clear: %#lx", (unsigned long)v);
		return false;
	}
	log_info("rdmsr_safe: #GP recovered, EFER %#lx", (unsigned long)v);
	return true;
}

static bool overlaps(paddr_t a, uint64_t asz, paddr_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static bool block_is_allowed(paddr_t pa, uint64_t size)
{
	const struct boot_info *bi = boot_info_get();

	if (pa < MiB(1) ||
	    overlaps(pa, size, (paddr_t)_kernel_start, (uint64_t)(_kernel_end - _kernel_start)))
		return false;
	for (size_t i = 0; i < bi->module_count; i++)
		if (overlaps(pa, size, bi->modules[i].start,
			     bi->modules[i].end - bi->modules[i].start))
			return false;
	return true;
}

/*
 * Take every block of one order from the real allocator, check each one,
 * chain them through their own first word, then give them all back.
 */
static bool drain_and_refill(unsigned order, uint64_t *taken)
{
	uint64_t size = PAGE_SIZE << order;
	paddr_t head = 0, pa;
	bool ok = true;

	*taken = 0;
	while (page_alloc(order, &pa) == 0) {
		if (!IS_ALIGNED(pa, size) || !block_is_allowed(pa, size)) {
			log_error("order %u block %#lx is misaligned or reserved", order,
				  (unsigned long)pa);
			ok = false;
		}
		uint64_t *first = phys_to_virt(pa);
		uint64_t *last = phys_to_virt(pa + size - sizeof(uint64_t));
		*last = pa; /* the whole block must be mapped and writable */
		*first = head;
		head = pa;
		(*taken)++;
	}
	while (head) {
		uint64_t *first = phys_to_virt(head);
		paddr_t next = *first;
		if (*(uint64_t *)phys_to_virt(head + size - sizeof(uint64_t)) != head)
			ok = false;
		page_free(head, order);
		head = next;
	}
	return ok;
}

static bool st_mm(void)
{
	uint64_t before = frame_free_pages(host_frames());
	unsigned orders[] = { FRAME_ORDER_2M, 0 };
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		uint64_t taken;
		ok &= drain_and_refill(orders[i], &taken);
		log_info("order %u: took %lu blocks, all aligned, mapped and outside reserved memory",
			 orders[i], (unsigned long)taken);
		if (taken == 0)
			ok = false;
		if (frame_free_pages(host_frames()) != before) {
			log_error("free pages %lu after refill, %lu before",
				  (unsigned long)frame_free_pages(host_frames()), (unsigned long)before);
			ok = false;
		}
	}
	paddr_t pa;
	if (page_alloc(FRAME_MAX_ORDER + 1, &pa) != -E_INVAL)
		ok = false;
	return ok;
}

static bool st_heap(void)
{
	enum { N = 512 };
	static uint8_t *ptrs[N];
	struct heap_stats before, after;
	bool ok = true;

	heap_get_stats(&before);
	for (unsigned i = 0; i < N; i++) {
		size_t size = 1 + (i * 37) % 9000;
		ptrs[i] = kmalloc(size);
		if (!ptrs[i] || ((uintptr_t)ptrs[i] & 15))
			return false;
		memset(ptrs[i], (int)(i & 0xFF), size);
	}
	for (unsigned i = 0; i < N; i++) {
		size_t size = 1 + (i * 37) % 9000;
		for (size_t j = 0; j < size; j++)
			ok &= ptrs[i][j] == (uint8_t)(i & 0xFF);
		kfree(ptrs[i]);
	}
	heap_get_stats(&after);
	if (after.bytes_in_use != before.bytes_in_use)
		ok = false;
	log_info("heap: %u allocations checked; %lu bytes in use before and %lu after",
		 N, (unsigned long)before.bytes_in_use, (unsigned long)after.bytes_in_use);
	return ok;
}

/* Guests ran before the self-test: pass when there were some and all stopped. */
static bool st_guests(void)
{
	size_t n = guest_count();

	for (size_t i = 0; i < n; i++)
		if (guest_by_index(i)->state != GUEST_STOPPED)
			return false;
	log_info("%zu guest(s) ran and stopped", n);
	return n > 0;
}

/*
 * A state every CPU refuses at VM entry (long mode enabled and paging on,
 * but no PAE): the guest must be stopped alone, with the reason logged.
 */
static bool st_invalid_state(void)
{
	static const uint8_t hlt[] = { 0xF4 };
	struct guest_desc d = {
		.name = "bad-state", .memory = MiB(2), .vcpus = 1, .image = hlt,
		.image_size = sizeof(hlt), .format = IMAGE_FLAT, .start_mode = VCPU_START_PROT32,
	};
	struct guest *g;
	struct vm_exit e;

	if (!backend->vcpu_run || guest_create(&d, &g) != 0)
		return false;
	struct vcpu *v = &g->vcpus[0];
	if (backend->creg_write(v, VCPU_EFER, EFER_LME) || backend->creg_write(v, VCPU_CR4, 0) ||
	    backend->creg_write(v, VCPU_CR0, CR0_PE | CR0_PG)) {
		log_error("the backend refused to set up the invalid state");
		guest_destroy(g);
		return false;
	}
	backend->vcpu_run(v, &e);
	exit_dispatch(v, &e);
	bool ok = e.reason == VMEXIT_INVALID_STATE && g->state == GUEST_STOPPED;
	guest_destroy(g);
	return ok;
}

const struct selftest selftests[] = {
	{ "boot", "boot to the end of initialisation", st_boot },
	{ "panic", "call panic(): expect the dump", st_panic },
	{ "fault", "read an unmapped address: expect the #PF dump", st_fault },
	{ "null", "read address 0: expect the #PF dump", st_null },
	{ "wx-text", "write to code: expect #PF (W^X)", st_write_text },
	{ "wx-rodata", "write to read-only data: expect #PF", st_write_rodata },
	{ "nx-data", "execute from data: expect #PF (NX)", st_exec_data },
	{ "stack-overflow", "overflow the boot stack: expect #DF on its own stack", st_stack_overflow },
	{ "ud", "execute UD2: expect #UD", st_ud },
	{ "fixup", "recover from #GP and #PF in read_u64_safe", st_fixup },
	{ "nmi", "take an NMI through its gate and carry on", st_nmi },
	{ "rdmsr-safe", "read an x2APIC MSR that must fault (ID in xAPIC mode, EOI in x2APIC mode) and recover from the #GP (not under QEMU 7.2 TCG, which returns 0)", st_rdmsr_safe },
	{ "mm", "drain and refill the frame allocator on the real memory map", st_mm },
	{ "heap", "allocate, check and free 512 heap blocks", st_heap },
	{ "guests", "run the module guests until all stop", st_guests },
	{ "smp", "IPIs to every other CPU, the LAPIC timer on each", selftest_smp },
	{ "panic-ap", "call panic() on CPU 1: expect its dump and the other CPUs stopped", selftest_panic_ap },
	{ "invalid-state", "enter a guest with EFER.LME+CR0.PG but no PAE: it must stop alone", st_invalid_state },
};
const size_t selftest_count = ARRAY_SIZE(selftests);
