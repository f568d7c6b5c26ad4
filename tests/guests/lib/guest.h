/*
 * The test guests' shared runtime (tests/guests/lib/). A guest is a flat
 * binary that Plinth starts in 32-bit protected mode at 1 MiB (or in real
 * mode at 0x8000, see realmode16.S); entry.S switches to 64-bit mode with
 * identity page tables for the first 4 GiB and calls guest_main().
 *
 * Every guest reports one line per check, `PASS name: detail` or
 * `FAIL name: detail`, then `RESULT passed=N failed=M`, and stops with
 * HC_EXIT(M). tests/boot/test_guests.py reads these lines from Plinth's log.
 */
#ifndef GUEST_H
#define GUEST_H

#include <plinth/x86/cpu.h>
#include <plinth/x86/io.h>
#include <plinth/errno.h>
#include <plinth/hypercall.h>
#include <plinth/types.h>

/* ---- Provided by the guest --------------------------------------------- */

/* Runs the checks; the runtime prints RESULT and exits when it returns. */
void guest_main(void);

/* ---- Start state (entry.S) --------------------------------------------- */

#define GUEST_START_MAGIC 0x504C4E54u /* "PLNT" in EAX at the first instruction */

extern uint32_t rt_boot_eax; /* EAX at the first instruction */
extern uint32_t rt_boot_ebx; /* EBX: RAM size in KiB */
extern uint64_t rt_pml4[512];
extern char __image_start[], __bss_end[]; /* the guest's own image, bss and stacks */

static inline uint64_t ram_bytes(void)
{
	return (uint64_t)rt_boot_ebx << 10;
}

/* ---- Reporting ----------------------------------------------------------- */

/* One check: prints `PASS name: detail` or `FAIL name: detail` and counts it. */
bool check(bool ok, const char *name, const char *fmt, ...) __printf(3, 4);
/* Counts a PASS/FAIL line printed by other code (realmode16.S). */
void count_result(bool ok);
/* A line that is not a check. */
void say(const char *fmt, ...) __printf(1, 2);
/* Prints `RESULT passed=N failed=M`; returns M. */
unsigned report_result(void);
/* report_result(), then HC_EXIT(M). */
__noreturn void finish(void);
/* HC_CONSOLE_WRITEs that did not return their length (0 when all did). */
extern unsigned rt_console_errors;

/* ---- Hypercalls ------------------------------------------------------------ */

/* HC_INSN_VMMCALL or HC_INSN_VMCALL; 0 without Plinth (see runtime.c). */
extern unsigned rt_hc_insn;

long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2);

static inline long hc_console_write(uint64_t gpa, uint64_t len)
{
	return hypercall(HC_CONSOLE_WRITE, gpa, len, 0);
}
static inline long hc_guest_id(void)
{
	return hypercall(HC_GUEST_ID, 0, 0, 0);
}
static inline long hc_yield(void)
{
	return hypercall(HC_YIELD, 0, 0, 0);
}
static inline long hc_raise_irq(unsigned long vector)
{
	return hypercall(HC_RAISE_IRQ, vector, 0, 0);
}
static inline uint64_t hc_clock(void)
{
	return (uint64_t)hypercall(HC_CLOCK, 0, 0, 0);
}
static inline long hc_set_timer(uint64_t deadline_ns, unsigned long vector)
{
	return hypercall(HC_SET_TIMER, deadline_ns, vector, 0);
}

/* ---- Exceptions and interrupts --------------------------------------------- */

#define VEC_DB 1
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14

/* The last exception (vector < 32) the IDT saw. */
struct trap_record {
	int vector;      /* -1: none since trap_arm() */
	uint32_t error;  /* error code, 0 for vectors without one */
	uint64_t rip;    /* where it was raised (for #DB: the next instruction) */
	uint64_t cr2;
	unsigned count;  /* exceptions since trap_arm() */
};
extern volatile struct trap_record rt_trap;
/* Where the handler resumes after a fault inside TRY_ASM (0: not armed). */
extern volatile uint64_t rt_resume;

/* External interrupts (vectors >= 32) by vector, and where the last one hit. */
extern volatile unsigned rt_irq_count[256];
extern volatile uint64_t rt_irq_rip;
/*
 * When set, an interrupt that arrives with RIP at a HLT returns past it: the
 * wake-up the HLT waited for came early (QEMU TCG delivers a virtual interrupt
 * inside STI's shadow), so `sti; hlt` cannot sleep forever (bench.c).
 */
extern volatile bool rt_irq_skips_hlt;

void trap_arm(void);

/*
 * Runs an asm template with the IDT armed: an exception in it is recorded in
 * rt_trap and execution resumes after the template. Evaluates to the vector
 * raised, or -1. The operand list is required (at least `: : : "memory"`).
 * Example: int v = TRY_ASM("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
 */
#define TRY_ASM(insn, ...)                                                       \
	({                                                                       \
		trap_arm();                                                      \
		asm volatile("movq $1f, rt_resume(%%rip)\n\t" insn               \
			     "\n1:\tmovq $0, rt_resume(%%rip)" __VA_ARGS__);     \
		rt_trap.vector;                                                  \
	})

/* "#GP(0x0)", "#UD", "none": for details. Returns a static buffer. */
const char *exc_str(int vector);

/* rdmsr/wrmsr that catch the exception: the vector, or -1 when none. */
int rdmsr_trap(uint32_t msr, uint64_t *value);
int wrmsr_trap(uint32_t msr, uint64_t value);

/* ---- CPU helpers ---------------------------------------------------------- */

/* cpuid(), rdtsc(), inb()/outb() come from the hypervisor's own x86 headers. */

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

/* Vendor from CPUID 0: true for AuthenticAMD/HygonGenuine (SVM instructions). */
bool cpu_is_amd(void);
/* MAXPHYADDR from CPUID 0x80000008 (36 when the leaf is missing). */
unsigned cpu_phys_bits(void);

/* ---- Memory ------------------------------------------------------------- */

/*
 * Identity-maps the 2 MiB page holding `pa` (any address below 2^MAXPHYADDR;
 * the first 4 GiB are mapped at start). Returns false when out of table pages.
 */
bool map_identity_2m(uint64_t pa);

static inline uint64_t read64(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static inline void write64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

/* A 64-bit mix (splitmix64's finalizer) for marker values and random indices. */
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

#endif
