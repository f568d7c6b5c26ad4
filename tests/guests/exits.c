/*
 * exits: triggers every kind of VM exit Plinth handles and checks the result
 * the guest sees: CPUID, port I/O, MSRs, HLT with an injected interrupt and
 * the interrupt window, hypercalls, stage-2 faults (MMIO-like accesses above
 * RAM) and an intercepted exception (#DB from RFLAGS.TF).
 */
#include <plinth/string.h>

#include "guest.h"

#define UNCLAIMED_PORT 0x510
#define NO_RAM_GPA 0xF0000000ull  /* far above the guest's RAM, below 4 GiB */
#define IRQ_VECTOR 0x40
#define HC_UNKNOWN 1000

#define MSR_TSC 0x10
#define MSR_UNKNOWN 0xC0011234
#define EFER_LMA (1u << 10)
#define EFER_SVME (1u << 12)

/* What RAX holds before an IN or a load, to see which bits the exit wrote. */
#define PRELOAD 0x1122334455667788ull

static void test_cpuid(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	uint32_t ext_ecx = 0;

	if (cpuid(0x80000000, 0).eax >= 0x80000001)
		ext_ecx = cpuid(0x80000001, 0).ecx;
	check(l1.ecx & (1u << 31), "cpuid-hypervisor-bit", "leaf 1 ECX = %#x", l1.ecx);
	check(!(l1.ecx & (1u << 5)), "cpuid-no-vmx", "leaf 1 ECX = %#x (bit 5 VMX)", l1.ecx);
	check(!(ext_ecx & (1u << 2)), "cpuid-no-svm", "leaf 0x80000001 ECX = %#x (bit 2 SVM)",
	      ext_ecx);

	struct cpuid_regs hv = cpuid(CPUID_HV_BASE, 0);
	char sig[13];

	memcpy(sig, &hv.ebx, 4);
	memcpy(sig + 4, &hv.ecx, 4);
	memcpy(sig + 8, &hv.edx, 4);
	sig[12] = '\0';
	check(hv.eax == CPUID_HV_FEATURES && memcmp(sig, "Plinth\0\0\0\0\0\0", 12) == 0,
	      "cpuid-hv-signature", "leaf 0x40000000: max leaf %#x, signature \"%s\"",
	      hv.eax, sig);

	struct cpuid_regs f = cpuid(CPUID_HV_FEATURES, 0);
	unsigned want = cpu_is_amd() ? HC_INSN_VMMCALL : HC_INSN_VMCALL;

	check(f.eax == HC_ABI_VERSION && f.ebx == want, "cpuid-hv-features",
	      "leaf 0x40000001: ABI version %u, hypercall instruction %u (%s CPU wants %u)",
	      f.eax, f.ebx, cpu_is_amd() ? "AMD" : "Intel", want);
}

static void test_hypercalls(void)
{
	static char big[HC_CONSOLE_MAX + 1];
	long id = hc_guest_id();
	long y = hc_yield();
	long u0 = hypercall(0, 0, 0, 0);
	long u1 = hypercall(HC_UNKNOWN, 1, 2, 3);

	check(id >= 1, "hc-guest-id", "HC_GUEST_ID = %ld", id);
	check(y == 0, "hc-yield", "HC_YIELD = %ld", y);
	check(u0 == -E_NOSYS && u1 == -E_NOSYS, "hc-unknown",
	      "hypercall 0 = %ld, hypercall %d = %ld (want %d)", u0, HC_UNKNOWN, u1, -E_NOSYS);

	/* Not RAM at all, and a buffer that runs past the end of RAM. */
	long far = hc_console_write(NO_RAM_GPA, 16);
	long tail = hc_console_write(ram_bytes() - 8, 16);

	check(far == -E_FAULT && tail == -E_FAULT, "hc-console-bad-gpa",
	      "write from %#llx = %ld, from RAM end - 8 (16 bytes) = %ld (want %d)",
	      NO_RAM_GPA, far, tail, -E_FAULT);

	memset(big, 'x', sizeof(big));
	long len = hc_console_write((uint64_t)big, sizeof(big));

	check(len == -E_INVAL, "hc-console-too-long", "write of %zu bytes = %ld (want %d)",
	      sizeof(big), len, -E_INVAL);
}

/* IN of `size` bytes from the unclaimed port into RAX = PRELOAD. */
static int in_port(unsigned size, uint64_t *rax)
{
	*rax = PRELOAD;
	if (size == 1)
		return TRY_ASM("inb %%dx, %%al", : "+a"(*rax) : "d"(UNCLAIMED_PORT) : "memory");
	if (size == 2)
		return TRY_ASM("inw %%dx, %%ax", : "+a"(*rax) : "d"(UNCLAIMED_PORT) : "memory");
	return TRY_ASM("inl %%dx, %%eax", : "+a"(*rax) : "d"(UNCLAIMED_PORT) : "memory");
}

static void test_io(void)
{
	static const struct {
		unsigned size;
		const char *name;
		uint64_t want; /* IN writes AL/AX and keeps the rest; IN EAX zero-extends */
	} ins[] = {
		{ 1, "io-in8", (PRELOAD & ~0xFFull) | 0xFF },
		{ 2, "io-in16", (PRELOAD & ~0xFFFFull) | 0xFFFF },
		{ 4, "io-in32", 0xFFFFFFFFull },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(ins); i++) {
		uint64_t rax;
		int v = in_port(ins[i].size, &rax);

		check(v < 0 && rax == ins[i].want, ins[i].name,
		      "IN %u byte(s) from port %#x: RAX %#llx -> %#llx (want %#llx), %s",
		      ins[i].size, UNCLAIMED_PORT, PRELOAD, (unsigned long long)rax,
		      (unsigned long long)ins[i].want, exc_str(v));
	}

	int vb = TRY_ASM("outb %%al, %%dx", : : "a"(0x5A), "d"(UNCLAIMED_PORT) : "memory");
	int vw = TRY_ASM("outw %%ax, %%dx", : : "a"(0x5A5A), "d"(UNCLAIMED_PORT) : "memory");
	int vl = TRY_ASM("outl %%eax, %%dx", : : "a"(0x5A5A5A5A), "d"(UNCLAIMED_PORT) : "memory");

	check(vb < 0 && vw < 0 && vl < 0, "io-out",
	      "OUT of 1, 2, 4 bytes to port %#x dropped: %s, %s, %s", UNCLAIMED_PORT,
	      exc_str(vb), exc_str(vw), exc_str(vl));

	/* REP INSB into the middle of a buffer: 16 bytes of 0xFF, guards intact. */
	static uint8_t buf[32];
	uint64_t rdi = (uint64_t)(buf + 8), rcx = 16;
	unsigned bad = 0;

	memset(buf, 0x5A, sizeof(buf));
	int vi = TRY_ASM("rep insb", : "+D"(rdi), "+c"(rcx) : "d"(UNCLAIMED_PORT) : "memory");
	for (unsigned i = 0; i < sizeof(buf); i++)
		bad += buf[i] != ((i >= 8 && i < 24) ? 0xFF : 0x5A);
	check(vi < 0 && bad == 0 && rcx == 0 && rdi == (uint64_t)(buf + 24), "io-rep-insb",
	      "REP INSB x16: %u wrong byte(s), RCX %llu, RDI advanced by %lld, %s", bad,
	      (unsigned long long)rcx, (long long)(rdi - (uint64_t)(buf + 8)), exc_str(vi));

	uint64_t rsi = (uint64_t)buf;

	rcx = 16;
	int vo = TRY_ASM("rep outsb", : "+S"(rsi), "+c"(rcx) : "d"(UNCLAIMED_PORT) : "memory");
	check(vo < 0 && rcx == 0 && rsi == (uint64_t)(buf + 16), "io-rep-outsb",
	      "REP OUTSB x16: RCX %llu, RSI advanced by %lld, %s", (unsigned long long)rcx,
	      (long long)(rsi - (uint64_t)buf), exc_str(vo));
}

static void test_msr(void)
{
	uint64_t pat, want, back, t0, t1, efer, efer2, val;

	/* IA32_PAT round trip: PA7 (unused by our page tables) UC <-> WC. */
	int v1 = rdmsr_trap(MSR_PAT, &pat);
	want = pat ^ (0x01ull << 56);
	int v2 = wrmsr_trap(MSR_PAT, want);
	int v3 = rdmsr_trap(MSR_PAT, &back);
	int v4 = wrmsr_trap(MSR_PAT, pat);
	int any = MAX(MAX(v1, v2), MAX(v3, v4));
	check(any < 0 && back == want, "msr-pat", "IA32_PAT %#llx, wrote %#llx, read back %#llx, %s",
	      (unsigned long long)pat, (unsigned long long)want, (unsigned long long)back,
	      exc_str(any));

	/*
	 * Only that it reads: QEMU's TCG returns 0 for RDMSR 0x10, so a TSC
	 * Plinth passes through does not count up there.
	 */
	v1 = rdmsr_trap(MSR_TSC, &t0);
	v2 = rdmsr_trap(MSR_TSC, &t1);
	check(v1 < 0 && v2 < 0, "msr-tsc", "IA32_TSC reads %llu then %llu (RDTSC %llu), %s",
	      (unsigned long long)t0, (unsigned long long)t1, (unsigned long long)rdtsc(),
	      exc_str(v1 >= 0 ? v1 : v2));

	v1 = rdmsr_trap(MSR_EFER, &efer);
	check(v1 < 0 && !(efer & EFER_SVME) && (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "msr-efer", "EFER %#llx: SVME clear, LME and LMA set (%s)",
	      (unsigned long long)efer, exc_str(v1));

	v1 = wrmsr_trap(MSR_EFER, efer | EFER_SVME);
	uint32_t err = rt_trap.error;
	v2 = rdmsr_trap(MSR_EFER, &efer2);
	check(v1 == VEC_GP && err == 0 && v2 < 0 && efer2 == efer, "msr-efer-svme-gp",
	      "writing EFER %#llx raised %s; EFER now %#llx",
	      (unsigned long long)(efer | EFER_SVME), v1 == VEC_GP ? "#GP" : exc_str(v1),
	      (unsigned long long)efer2);

	v1 = rdmsr_trap(MSR_UNKNOWN, &val);
	check(v1 == VEC_GP, "msr-unknown-read-gp", "RDMSR %#x raised %s", MSR_UNKNOWN, exc_str(v1));
	v1 = wrmsr_trap(MSR_UNKNOWN, 0x1234);
	check(v1 == VEC_GP, "msr-unknown-write-gp", "WRMSR %#x raised %s", MSR_UNKNOWN, exc_str(v1));
}

/* One MOV of `size` bytes from `gpa` into RAX = PRELOAD. */
static int load(uint64_t gpa, unsigned size, uint64_t *rax)
{
	*rax = PRELOAD;
	switch (size) {
	case 1:
		return TRY_ASM("movb (%%rdx), %%al", : "+a"(*rax) : "d"(gpa) : "memory");
	case 2:
		return TRY_ASM("movw (%%rdx), %%ax", : "+a"(*rax) : "d"(gpa) : "memory");
	case 4:
		return TRY_ASM("movl (%%rdx), %%eax", : "+a"(*rax) : "d"(gpa) : "memory");
	default:
		return TRY_ASM("movq (%%rdx), %%rax", : "+a"(*rax) : "d"(gpa) : "memory");
	}
}

static int store(uint64_t gpa, unsigned size, uint64_t value)
{
	switch (size) {
	case 1:
		return TRY_ASM("movb %%al, (%%rdx)", : : "a"(value), "d"(gpa) : "memory");
	case 2:
		return TRY_ASM("movw %%ax, (%%rdx)", : : "a"(value), "d"(gpa) : "memory");
	case 4:
		return TRY_ASM("movl %%eax, (%%rdx)", : : "a"(value), "d"(gpa) : "memory");
	default:
		return TRY_ASM("movq %%rax, (%%rdx)", : : "a"(value), "d"(gpa) : "memory");
	}
}

static void test_stage2(void)
{
	static const uint64_t want[9] = {
		[1] = (PRELOAD & ~0xFFull) | 0xFF,
		[2] = (PRELOAD & ~0xFFFFull) | 0xFFFF,
		[4] = 0xFFFFFFFFull,
		[8] = ~0ull,
	};
	uint64_t got[9] = { 0 };
	unsigned bad = 0, faults = 0;

	for (unsigned size = 1; size <= 8; size *= 2) {
		faults += load(NO_RAM_GPA + 0x40, size, &got[size]) >= 0;
		bad += got[size] != want[size];
	}
	check(bad == 0 && faults == 0, "s2-read-ones",
	      "loads of 1/2/4/8 bytes at %#llx: %#llx %#llx %#llx %#llx, %u exception(s)",
	      NO_RAM_GPA + 0x40, (unsigned long long)got[1], (unsigned long long)got[2],
	      (unsigned long long)got[4], (unsigned long long)got[8], faults);

	faults = 0;
	for (unsigned size = 1; size <= 8; size *= 2)
		faults += store(NO_RAM_GPA + 0x80, size, 0) >= 0;
	uint64_t after;
	faults += load(NO_RAM_GPA + 0x80, 8, &after) >= 0;
	check(faults == 0 && after == ~0ull, "s2-write-dropped",
	      "stores of 1/2/4/8 zero bytes at %#llx, then it reads %#llx, %u exception(s)",
	      NO_RAM_GPA + 0x80, (unsigned long long)after, faults);

	/* The last word of RAM is RAM; the first one after it is not. */
	uint64_t end = ram_bytes(), last, past;

	faults = store(end - 8, 8, 0xC0FFEE0123456789ull) >= 0;
	faults += load(end - 8, 8, &last) >= 0;
	faults += load(end, 8, &past) >= 0;
	check(faults == 0 && last == 0xC0FFEE0123456789ull && past == ~0ull, "s2-ram-end",
	      "RAM ends at %#llx: last word round-trips (%#llx), next word reads %#llx",
	      (unsigned long long)end, (unsigned long long)last, (unsigned long long)past);
}

static void test_interrupts(void)
{
	volatile unsigned *count = &rt_irq_count[IRQ_VECTOR];
	unsigned others = 0;

	/* IF=0: the interrupt must wait, even across exits. */
	cli();
	long r = hc_raise_irq(IRQ_VECTOR);
	for (unsigned i = 0; i < 4; i++)
		(void)cpuid(0, 0);
	unsigned early = *count;
	check(r == 0 && early == 0, "irq-masked",
	      "HC_RAISE_IRQ(%#x) = %ld; with IF=0 it arrived %u time(s) (want 0)",
	      IRQ_VECTOR, r, early);

	/* IF=1: it arrives as soon as the interrupt window opens. */
	unsigned spins = 0;

	sti();
	while (*count == 0 && spins < 100000) {
		spins++;
		asm volatile("nop");
	}
	cli();
	bool window = check(*count == 1, "irq-window",
			    "after STI vector %#x arrived %u time(s), after %u loop iteration(s)",
			    IRQ_VECTOR, *count, spins);

	/* HLT with the interrupt pending: the handler runs and HLT returns. */
	if (window) {
		uint64_t after_hlt;

		r = hc_raise_irq(IRQ_VECTOR);
		asm volatile("sti\n\thlt\n1:\tcli\n\tleaq 1b(%%rip), %0"
			     : "=r"(after_hlt) : : "memory");
		check(r == 0 && *count == 2 && rt_irq_rip == after_hlt, "irq-hlt",
		      "STI; HLT woke with vector %#x (count %u) interrupting rip %#llx (want %#llx)",
		      IRQ_VECTOR, *count, (unsigned long long)rt_irq_rip,
		      (unsigned long long)after_hlt);
	} else {
		check(false, "irq-hlt", "not tried: the interrupt never arrived");
	}

	r = hc_raise_irq(5);
	check(r == -E_INVAL, "irq-bad-vector", "HC_RAISE_IRQ(5) = %ld (want %d)", r, -E_INVAL);

	for (unsigned v = 32; v < 256; v++)
		others += v == IRQ_VECTOR ? 0 : rt_irq_count[v];
	check(others == 0, "irq-no-spurious", "%u interrupt(s) on other vectors", others);
}

static void test_single_step(void)
{
	uint64_t after_nop;

	/* POPF sets TF: the trap comes after the next instruction (the NOP). */
	trap_arm();
	asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\tnop\n"
		     "1:\tleaq 1b(%%rip), %0"
		     : "=r"(after_nop) : : "memory", "cc");
	check(rt_trap.vector == VEC_DB && rt_trap.count == 1 && rt_trap.rip == after_nop,
	      "exc-db-single-step", "%u exception(s), last %s at rip %#llx (want #DB at %#llx)",
	      rt_trap.count, exc_str(rt_trap.vector), (unsigned long long)rt_trap.rip,
	      (unsigned long long)after_nop);
}

void guest_main(void)
{
	say("exits: every exit kind, RAM %u KiB", rt_boot_ebx);
	test_cpuid();
	test_hypercalls();
	test_io();
	test_msr();
	test_stage2();
	test_interrupts();
	test_single_step();
	check(rt_console_errors == 0, "hc-console-write",
	      "%u console write(s) did not return their length", rt_console_errors);
}
