/*
 * bench: the exit-cost benchmark guest (docs/bench.md). The same binary runs
 * under Plinth and directly under QEMU (it has a multiboot header,
 * bench_mb.S); under `-icount shift=0` its TSC counts retired instructions,
 * so a loop's TSC delta under Plinth minus the same loop's delta without a
 * hypervisor is the instructions Plinth spent on the loop's exits.
 *
 * Each loop runs ITERS times (`iters=N` on the multiboot command line) and
 * has the same number of instructions in both runs; where an exit has no bare
 * counterpart the bare run executes a one-instruction stand-in:
 *   nop       nothing exits: checks that the TSC counts instructions (3/iter)
 *   cpuid     CPUID leaf 0
 *   pio       IN from COM1's line status register (an emulated UART)
 *   hypercall HC_GUEST_ID; bare: a NOP in place of VMMCALL (baseline: no exit)
 *   mmio      a load from GPA 0xC0000000, outside RAM, where no device is
 *   hlt_wake  arm an interrupt that is already due (Plinth: HC_SET_TIMER with
 *             a past deadline; bare: a LAPIC self-IPI), STI; HLT, take it
 * Each prints `BENCH op=NAME iters=N ticks=T`; tools/bench/run.py does the rest.
 * `only=NAME` on the command line runs one loop alone (for profiling).
 */
#include <plinth/format.h>
#include <plinth/string.h>

#include "guest.h"

#define MB_BOOT_MAGIC 0x2BADB002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)

#define DEFAULT_ITERS 1000
#define WARMUP_ITERS 16
#define COM1_LSR 0x3FD
#define MMIO_HOLE 0xC0000000ull /* outside any benchmark guest's RAM, no device */
#define WAKE_VECTOR 0x40

/* Bare only: the local APIC, for the self-IPI and its EOI. */
#define LAPIC_BASE 0xFEE00000ull
#define LAPIC_EOI (LAPIC_BASE + 0xB0)
#define LAPIC_SVR (LAPIC_BASE + 0xF0)
#define LAPIC_ICR_LO (LAPIC_BASE + 0x300)
#define ICR_SELF (1u << 18)

static uint64_t iters = DEFAULT_ITERS;
static char only[16]; /* `only=NAME`: run that loop alone (profiling) */

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* Multiboot start (both runs): RAM size and `iters=N` from the boot information. */
static void read_boot_info(void)
{
	if (rt_boot_eax != MB_BOOT_MAGIC)
		return;
	const struct mb_info *mbi = (const struct mb_info *)(uint64_t)rt_boot_ebx;
	uint32_t flags = mbi->flags;
	const char *cmd = (flags & MB_INFO_CMDLINE) ? (const char *)(uint64_t)mbi->cmdline : "";

	/* The runtime reads EBX as the RAM size in KiB (Plinth's flat-image convention). */
	rt_boot_ebx = (flags & MB_INFO_MEMORY) ? mbi->mem_upper + 1024 : 1024;
	for (const char *p = cmd; *p; p++) {
		if ((p == cmd || p[-1] == ' ') && strncmp(p, "iters=", 6) == 0) {
			uint64_t n = parse_u64(p + 6);
			if (n)
				iters = n;
		}
		if ((p == cmd || p[-1] == ' ') && strncmp(p, "only=", 5) == 0) {
			size_t i = 0;
			for (const char *q = p + 5; *q && *q != ' ' && i < sizeof(only) - 1; q++)
				only[i++] = *q;
			only[i] = 0;
		}
	}
}

/* One timed loop: BODY then `dec; jnz`, n > 0 times. */
#define TIMED_LOOP(n, body, ...)                                                   \
	({                                                                         \
		uint64_t count_ = (n), t0_ = rdtsc();                              \
		asm volatile("1:\n\t" body "\n\tdec %[cnt]\n\tjnz 1b"              \
			     : [cnt] "+r"(count_)__VA_ARGS__);                     \
		rdtsc() - t0_;                                                     \
	})

static uint64_t loop_nop(uint64_t n)
{
	return TIMED_LOOP(n, "nop", : : "memory");
}

static uint64_t loop_cpuid(uint64_t n)
{
	return TIMED_LOOP(n, "xorl %%eax, %%eax\n\tcpuid", : : "rax", "rbx", "rcx", "rdx", "memory");
}

static uint64_t loop_pio(uint64_t n)
{
	return TIMED_LOOP(n, "movw %[port], %%dx\n\tinb %%dx, %%al", : [port] "i"(COM1_LSR)
			  : "rax", "rdx", "memory");
}

static uint64_t loop_hypercall(uint64_t n)
{
	if (rt_hc_insn == HC_INSN_VMMCALL)
		return TIMED_LOOP(n, "movl %[nr], %%eax\n\tvmmcall", : [nr] "i"(HC_GUEST_ID)
				  : "rax", "memory");
	if (rt_hc_insn == HC_INSN_VMCALL)
		return TIMED_LOOP(n, "movl %[nr], %%eax\n\tvmcall", : [nr] "i"(HC_GUEST_ID)
				  : "rax", "memory");
	/* Bare: the same loop with a one-instruction NOP where the hypercall was. */
	return TIMED_LOOP(n, "movl %[nr], %%eax\n\tnopl (%%rax)", : [nr] "i"(HC_GUEST_ID)
			  : "rax", "memory");
}

static uint64_t loop_mmio(uint64_t n)
{
	return TIMED_LOOP(n, "movl (%[addr]), %%eax", : [addr] "r"(MMIO_HOLE) : "rax", "memory");
}

/*
 * Ten instructions per iteration in both runs. Plinth: HC_SET_TIMER(deadline
 * 1, i.e. already due) with interrupts off, then STI; HLT (STI's shadow covers
 * HLT, so the interrupt wakes the HLT), and a NOP where the bare run has its
 * EOI. Bare: a self-IPI through the LAPIC's ICR, STI; HLT, EOI.
 */
static uint64_t loop_hlt_wake(uint64_t n)
{
	if (rt_hc_insn == HC_INSN_VMMCALL)
		return TIMED_LOOP(n, "cli\n\tmovl %[nr], %%eax\n\tmovl $1, %%edi\n\t"
				  "movl %[vec], %%esi\n\tvmmcall\n\tsti\n\thlt\n\tnop",
				  : [nr] "i"(HC_SET_TIMER), [vec] "i"(WAKE_VECTOR)
				  : "rax", "rdi", "rsi", "memory");
	if (rt_hc_insn == HC_INSN_VMCALL)
		return TIMED_LOOP(n, "cli\n\tmovl %[nr], %%eax\n\tmovl $1, %%edi\n\t"
				  "movl %[vec], %%esi\n\tvmcall\n\tsti\n\thlt\n\tnop",
				  : [nr] "i"(HC_SET_TIMER), [vec] "i"(WAKE_VECTOR)
				  : "rax", "rdi", "rsi", "memory");
	return TIMED_LOOP(n, "cli\n\tmovl %[nr], %%eax\n\tmovl $1, %%edi\n\t"
			  "movl %[icr], %%esi\n\tmovl %%esi, (%[icr_reg])\n\tsti\n\thlt\n\t"
			  "movl %%eax, (%[eoi_reg])",
			  : [nr] "i"(HC_SET_TIMER), [icr] "i"(WAKE_VECTOR | ICR_SELF),
			    [icr_reg] "r"(LAPIC_ICR_LO), [eoi_reg] "r"(LAPIC_EOI)
			  : "rax", "rdi", "rsi", "memory");
}

struct bench_op {
	const char *name;
	uint64_t (*loop)(uint64_t n);
};

static const struct bench_op ops[] = {
	{ "nop", loop_nop },
	{ "cpuid", loop_cpuid },
	{ "pio", loop_pio },
	{ "hypercall", loop_hypercall },
	{ "mmio", loop_mmio },
	{ "hlt_wake", loop_hlt_wake },
};

void guest_main(void)
{
	read_boot_info();
	/* No 8259 interrupt may land in the loops (bare: the BIOS's PIT tick). */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	if (!rt_hc_insn)
		write64(LAPIC_SVR, (read64(LAPIC_SVR) & ~0xFFull) | 0x100 | 0xFF); /* APIC on */
	rt_irq_skips_hlt = true;
	say("BENCH start mode=%s iters=%llu", rt_hc_insn ? "plinth" : "bare",
	    (unsigned long long)iters);

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		unsigned irqs = rt_irq_count[WAKE_VECTOR];

		if (only[0] && strcmp(only, ops[i].name) != 0)
			continue;

		ops[i].loop(WARMUP_ITERS); /* first-use costs (translation, lazy state) out */
		uint64_t ticks = ops[i].loop(iters);
		say("BENCH op=%s iters=%llu ticks=%llu", ops[i].name, (unsigned long long)iters,
		    (unsigned long long)ticks);
		if (ops[i].loop == loop_hlt_wake) {
			/*
			 * Every HLT woken (the loop could not go on otherwise). More
			 * interrupts than halts are reported, not failed: seen once
			 * in 10016 under QEMU TCG (docs/bench.md).
			 */
			unsigned woken = rt_irq_count[WAKE_VECTOR] - irqs;
			check(woken >= WARMUP_ITERS + iters, "bench-hlt-wake",
			      "%u wake-up interrupts for %llu halts", woken,
			      (unsigned long long)(WARMUP_ITERS + iters));
		}
	}
}
