/*
 * The test guests' runtime: IDT and exception recording, hypercalls,
 * PASS/FAIL reporting, on-demand identity mappings. See guest.h.
 */
#include <plinth/format.h>
#include <plinth/string.h>

#include "guest.h"

/* The frame isr_common (entry.S) builds. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define RFLAGS_TF (1u << 8)
#define SEL_CODE64 0x08
#define COM1 0x3F8
#define QEMU_DEBUG_EXIT 0xF4

void rt_start(void);
void rt_trap_handler(struct trap_frame *f);

extern const char rt_isr_stubs[];

unsigned rt_hc_insn;
unsigned rt_console_errors;
volatile struct trap_record rt_trap;
volatile uint64_t rt_resume;
volatile unsigned rt_irq_count[256];
volatile uint64_t rt_irq_rip;
volatile bool rt_irq_skips_hlt;

static unsigned passed, failed;

/* ---- IDT ------------------------------------------------------------------- */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* P, DPL 0, 64-bit interrupt gate: 0x8E */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

static struct idt_gate idt[256] __aligned(16);

static void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		uint64_t stub = (uint64_t)rt_isr_stubs + 16 * v;

		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)stub,
			.selector = SEL_CODE64,
			.type = 0x8E,
			.offset_mid = (uint16_t)(stub >> 16),
			.offset_hi = (uint32_t)(stub >> 32),
		};
	}
	asm volatile("lidt %0" : : "m"(ptr));
}

void trap_arm(void)
{
	rt_trap.vector = -1;
	rt_trap.error = 0;
	rt_trap.rip = 0;
	rt_trap.cr2 = 0;
	rt_trap.count = 0;
}

void rt_trap_handler(struct trap_frame *f)
{
	if (f->vector >= 32) { /* an external interrupt (HC_RAISE_IRQ) */
		rt_irq_count[f->vector]++;
		rt_irq_rip = f->rip;
		if (rt_irq_skips_hlt && *(const volatile uint8_t *)f->rip == 0xF4)
			f->rip++; /* taken in STI's shadow, before the HLT: the HLT is done */
		return;
	}
	rt_trap.vector = (int)f->vector;
	rt_trap.error = (uint32_t)f->error;
	rt_trap.rip = f->rip;
	rt_trap.count++;
	if (f->vector == VEC_PF) {
		uint64_t cr2;

		asm volatile("mov %%cr2, %0" : "=r"(cr2));
		rt_trap.cr2 = cr2;
	}
	if (f->vector == VEC_DB)
		f->rflags &= ~(uint64_t)RFLAGS_TF; /* one step only */
	if (rt_resume) { /* inside TRY_ASM: continue after it */
		f->rip = rt_resume;
		rt_resume = 0;
		return;
	}
	if (f->vector == VEC_DB || f->vector == VEC_BP)
		return; /* traps: RIP is already past the instruction */
	check(false, "unexpected-exception", "%s at rip %#llx (cr2 %#llx)",
	      exc_str((int)f->vector), (unsigned long long)f->rip,
	      (unsigned long long)rt_trap.cr2);
	finish();
}

const char *exc_str(int vector)
{
	static const char *const names[32] = {
		[0] = "#DE", [1] = "#DB", [2] = "NMI", [3] = "#BP", [4] = "#OF",
		[5] = "#BR", [6] = "#UD", [7] = "#NM", [8] = "#DF", [10] = "#TS",
		[11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF",
		[16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
		[20] = "#VE", [21] = "#CP", [29] = "#VC", [30] = "#SX",
	};
	static char buf[48];

	if (vector < 0)
		return "no exception";
	if (vector >= 32 || !names[vector])
		fmt_snprintf(buf, sizeof(buf), "vector %d", vector);
	else if (vector == 8 || (vector >= 10 && vector <= 14) || vector == 17)
		fmt_snprintf(buf, sizeof(buf), "%s(%#x)", names[vector], rt_trap.error);
	else
		return names[vector];
	return buf;
}

int rdmsr_trap(uint32_t msr, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;
	int v = TRY_ASM("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");

	*value = ((uint64_t)hi << 32) | lo;
	return v;
}

int wrmsr_trap(uint32_t msr, uint64_t value)
{
	return TRY_ASM("wrmsr", : : "c"(msr), "a"((uint32_t)value),
		       "d"((uint32_t)(value >> 32)) : "memory");
}

/* ---- Hypercalls --------------------------------------------------------- */

/*
 * Without Plinth (rt_hc_insn 0: a guest booted directly, for debugging) the
 * console goes to COM1 and HC_EXIT to QEMU's isa-debug-exit port.
 */
static long bare_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	if (nr == HC_CONSOLE_WRITE) {
		if (a1 > HC_CONSOLE_MAX)
			return -E_INVAL;
		if (a0 + a1 > ram_bytes() || a0 + a1 < a0)
			return -E_FAULT;
		for (unsigned long i = 0; i < a1; i++)
			outb(COM1, ((const char *)a0)[i]);
		return (long)a1;
	}
	if (nr == HC_EXIT)
		asm volatile("outl %0, %1" : : "a"((uint32_t)a0), "Nd"((uint16_t)QEMU_DEBUG_EXIT));
	return -E_NOSYS;
}

long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	long ret;

	if (rt_hc_insn == HC_INSN_VMMCALL)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			     : "memory");
	else if (rt_hc_insn == HC_INSN_VMCALL)
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			     : "memory");
	else
		ret = bare_hypercall(nr, a0, a1);
	return ret;
}

/*
 * CPUID 0x40000001 EBX says which instruction. Should the leaf be missing or
 * wrong (a Plinth bug), try the vendor's instruction once so that the guest
 * can still report; a #UD there means no Plinth at all.
 */
static void hc_init(void)
{
	struct cpuid_regs base = cpuid(CPUID_HV_BASE, 0);
	unsigned insn = cpuid(CPUID_HV_FEATURES, 0).ebx;
	long id;

	if (base.eax >= CPUID_HV_FEATURES &&
	    (insn == HC_INSN_VMMCALL || insn == HC_INSN_VMCALL)) {
		rt_hc_insn = insn;
		return;
	}
	if (cpu_is_amd())
		insn = TRY_ASM("vmmcall", : "=a"(id) : "a"(HC_GUEST_ID) : "memory") < 0 ?
			       HC_INSN_VMMCALL : 0;
	else
		insn = TRY_ASM("vmcall", : "=a"(id) : "a"(HC_GUEST_ID) : "memory") < 0 ?
			       HC_INSN_VMCALL : 0;
	(void)id;
	rt_hc_insn = insn;
}

/* ---- Reporting ------------------------------------------------------------ */

static char line[512];

static void write_line(size_t len)
{
	if (hc_console_write((uint64_t)line, len) != (long)len)
		rt_console_errors++;
}

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	int n = fmt_snprintf(line, sizeof(line), "%s", prefix);
	int m = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);

	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	write_line(len);
}

bool check(bool ok, const char *name, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	fmt_snprintf(prefix, sizeof(prefix), "%s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vline(prefix, fmt, ap);
	va_end(ap);
	count_result(ok);
	return ok;
}

void count_result(bool ok)
{
	if (ok)
		passed++;
	else
		failed++;
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

unsigned report_result(void)
{
	say("RESULT passed=%u failed=%u", passed, failed);
	return failed;
}

void finish(void)
{
	hypercall(HC_EXIT, report_result(), 0, 0);
	/* HC_EXIT does not return: say so and stay here. */
	say("FAIL hc-exit: HC_EXIT returned");
	for (;;)
		asm volatile("cli; hlt");
}

/* ---- CPU and memory --------------------------------------------------------- */

bool cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	/* "AuthenticAMD": EBX "Auth", EDX "enti", ECX "cAMD"; Hygon "HygonGenuine". */
	return (r.ebx == 0x68747541 && r.ecx == 0x444D4163) ||
	       (r.ebx == 0x6F677948 && r.ecx == 0x656E6975);
}

unsigned cpu_phys_bits(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return cpuid(0x80000008, 0).eax & 0xFF;
}

#define PT_POOL_PAGES 8
static uint64_t pt_pool[PT_POOL_PAGES][512] __aligned(4096);
static unsigned pt_pool_used;

static uint64_t *next_table(uint64_t *table, unsigned index)
{
	if (!(table[index] & 1)) {
		if (pt_pool_used == PT_POOL_PAGES)
			return NULL;
		table[index] = (uint64_t)pt_pool[pt_pool_used++] | 3; /* P | RW */
	}
	return (uint64_t *)(table[index] & 0x000FFFFFFFFFF000ull);
}

bool map_identity_2m(uint64_t pa)
{
	uint64_t *pdpt = next_table(rt_pml4, (pa >> 39) & 511);
	uint64_t *pd = pdpt ? next_table(pdpt, (pa >> 30) & 511) : NULL;

	if (!pd)
		return false;
	pa &= ~(LARGE_PAGE_SIZE - 1);
	pd[(pa >> 21) & 511] = pa | 0x9B; /* P | RW | PWT | PCD | PS: uncached */
	asm volatile("invlpg (%0)" : : "r"(pa) : "memory");
	return true;
}

/* ---- Start -------------------------------------------------------------- */

void rt_start(void)
{
	idt_init();
	hc_init();
	guest_main();
	finish();
}
