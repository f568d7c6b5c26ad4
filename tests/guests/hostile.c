/*
 * hostile: what a malicious guest might try. Virtualization instructions
 * (must raise #UD), writes to MSRs that control the host's virtualization
 * (#GP), accesses far outside its RAM (all ones, writes dropped), a look for
 * Plinth's own image, an exit storm, and last a deliberate triple fault after
 * RESULT: Plinth must stop this guest and keep running the others.
 */
#include "guest.h"

#define UNCLAIMED_PORT 0x510
#define STORM_CPUID 100000 /* exits; keep the storm at a few seconds in TCG/Bochs */
#define STORM_IN 25000

#define MB1_MAGIC 0x1BADB002u /* multiboot1 header */
#define MB2_MAGIC 0xE85250D6u /* multiboot2 header */
#define HV_WINDOW 0x200000ull /* where Plinth's image sits in host memory */
#define HV_WINDOW_SIZE 0x10000ull

static uint8_t region[4096] __aligned(4096); /* operand of VMRUN, VMXON, ... */
static uint64_t descriptor[2] __aligned(16);  /* INVEPT/INVVPID operand */

struct insn_test {
	const char *name;
	int (*run)(void);
};

/* ---- Virtualization instructions -------------------------------------------- */

static int svm_vmrun(void)
{
	return TRY_ASM("vmrun", : : "a"(region) : "memory");
}
static int svm_vmload(void)
{
	return TRY_ASM("vmload", : : "a"(region) : "memory");
}
static int svm_vmsave(void)
{
	return TRY_ASM("vmsave", : : "a"(region) : "memory");
}
static int svm_clgi(void)
{
	return TRY_ASM("clgi", : : : "memory");
}
static int svm_stgi(void)
{
	return TRY_ASM("stgi", : : : "memory");
}
static int svm_skinit(void)
{
	return TRY_ASM("skinit", : : "a"(region) : "memory");
}
static int svm_invlpga(void)
{
	return TRY_ASM("invlpga", : : "a"(region), "c"(0) : "memory");
}

static int vmx_vmxon(void)
{
	uint64_t pa = (uint64_t)region;

	return TRY_ASM("vmxon %0", : : "m"(pa) : "memory");
}
static int vmx_vmclear(void)
{
	uint64_t pa = (uint64_t)region;

	return TRY_ASM("vmclear %0", : : "m"(pa) : "memory");
}
static int vmx_vmptrld(void)
{
	uint64_t pa = (uint64_t)region;

	return TRY_ASM("vmptrld %0", : : "m"(pa) : "memory");
}
static int vmx_vmptrst(void)
{
	uint64_t pa;

	return TRY_ASM("vmptrst %0", : "=m"(pa) : : "memory");
}
static int vmx_vmread(void)
{
	uint64_t value;

	return TRY_ASM("vmread %%rax, %%rbx", : "=b"(value) : "a"(0x6C00ull) : "memory");
}
static int vmx_vmwrite(void)
{
	return TRY_ASM("vmwrite %%rbx, %%rax", : : "a"(0x6C00ull), "b"(0ull) : "memory");
}
static int vmx_vmlaunch(void)
{
	return TRY_ASM("vmlaunch", : : : "memory", "cc");
}
static int vmx_vmresume(void)
{
	return TRY_ASM("vmresume", : : : "memory", "cc");
}
static int vmx_vmxoff(void)
{
	return TRY_ASM("vmxoff", : : : "memory", "cc");
}
static int vmx_invept(void)
{
	return TRY_ASM("invept (%%rax), %%rcx", : : "a"(descriptor), "c"(2ull) : "memory");
}
static int vmx_invvpid(void)
{
	return TRY_ASM("invvpid (%%rax), %%rcx", : : "a"(descriptor), "c"(2ull) : "memory");
}
static int vmx_vmfunc(void)
{
	return TRY_ASM("vmfunc", : : "a"(0), "c"(0) : "memory");
}

/* CLGI before STGI: should CLGI get through, STGI undoes it. */
static const struct insn_test svm_insns[] = {
	{ "ud-vmrun", svm_vmrun },   { "ud-vmload", svm_vmload },
	{ "ud-vmsave", svm_vmsave }, { "ud-clgi", svm_clgi },
	{ "ud-stgi", svm_stgi },     { "ud-skinit", svm_skinit },
	{ "ud-invlpga", svm_invlpga },
};

static const struct insn_test vmx_insns[] = {
	{ "ud-vmxon", vmx_vmxon },       { "ud-vmclear", vmx_vmclear },
	{ "ud-vmptrld", vmx_vmptrld },   { "ud-vmptrst", vmx_vmptrst },
	{ "ud-vmread", vmx_vmread },     { "ud-vmwrite", vmx_vmwrite },
	{ "ud-vmlaunch", vmx_vmlaunch }, { "ud-vmresume", vmx_vmresume },
	{ "ud-vmxoff", vmx_vmxoff },     { "ud-invept", vmx_invept },
	{ "ud-invvpid", vmx_invvpid },   { "ud-vmfunc", vmx_vmfunc },
};

static void test_virt_insns(void)
{
	bool amd = cpu_is_amd();
	const struct insn_test *t = amd ? svm_insns : vmx_insns;
	size_t n = amd ? ARRAY_SIZE(svm_insns) : ARRAY_SIZE(vmx_insns);

	say("hostile: %s CPU, trying the %s instructions", amd ? "AMD" : "Intel",
	    amd ? "SVM" : "VMX");
	for (size_t i = 0; i < n; i++) {
		int v = t[i].run();

		check(v == VEC_UD, t[i].name, "%s", exc_str(v));
	}
}

/* ---- MSRs ------------------------------------------------------------------- */

/* MSR ranges where real registers live: random indices avoid them. */
static bool msr_maybe_real(uint32_t msr)
{
	return msr < 0x2000 || (msr >= 0x40000000 && msr < 0x40010000) ||
	       (msr >= 0xC0000000 && msr < 0xC0002000) ||
	       (msr >= 0xC0010000 && msr < 0xC0012000);
}

static void test_wild_msrs(void)
{
	static const struct {
		uint32_t msr;
		uint64_t value;
		const char *name;
	} wild[] = {
		{ 0xC0010117, 0, "msr-wild-vm-hsave-pa" },       /* value: region */
		{ 0xC0010114, 0x18, "msr-wild-vm-cr" },          /* LOCK | SVMDIS */
		{ 0x3A, 0x5, "msr-wild-feature-control" },       /* LOCK | VMXON outside SMX */
	};

	for (size_t i = 0; i < ARRAY_SIZE(wild); i++) {
		uint64_t value = wild[i].value ? wild[i].value : (uint64_t)region;
		int v = wrmsr_trap(wild[i].msr, value);

		check(v == VEC_GP, wild[i].name, "WRMSR %#x <- %#llx raised %s", wild[i].msr,
		      (unsigned long long)value, exc_str(v));
	}

	/* Random indices and values: each write and read must raise #GP. */
	unsigned bad = 0;
	uint32_t first_bad = 0;
	uint64_t seed = 0x706C696E7468ull;

	for (unsigned i = 0; i < 16; i++) {
		uint32_t msr;
		uint64_t value;

		do {
			seed = mix64(seed);
			msr = (uint32_t)seed;
		} while (msr_maybe_real(msr));
		seed = mix64(seed);
		int w = wrmsr_trap(msr, seed);
		int r = rdmsr_trap(msr, &value);
		if (w != VEC_GP || r != VEC_GP) {
			if (!bad)
				first_bad = msr;
			bad++;
		}
	}
	check(bad == 0, "msr-wild-random",
	      "16 random MSRs: %u did not #GP on write and read (first %#x)", bad, first_bad);
}

/* ---- Memory outside the guest's RAM ---------------------------------------------- */

/* Reads at `gpa` give all ones, and a write there changes nothing. */
static bool probe_absent(uint64_t gpa, uint64_t *seen)
{
	uint64_t before = 0, after = 0;
	int v1 = TRY_ASM("movq (%%rdx), %%rax", : "=a"(before) : "d"(gpa) : "memory");
	int v2 = TRY_ASM("movq %%rax, (%%rdx)", : : "a"(0x0123456789ABCDEFull), "d"(gpa) : "memory");
	int v3 = TRY_ASM("movl (%%rdx), %%eax", : "=a"(after) : "d"(gpa) : "memory");

	*seen = before;
	return v1 < 0 && v2 < 0 && v3 < 0 && before == ~0ull && after == 0xFFFFFFFFull;
}

static void test_far_memory(void)
{
	uint64_t top = 1ull << cpu_phys_bits();
	uint64_t far[] = { 0x8000000000ull, 0xFD00000000ull };
	uint64_t low[] = { 0x40000000ull, 0xC0000000ull, 0xFFFFF000ull };
	uint64_t seen;

	for (size_t i = 0; i < ARRAY_SIZE(far); i++) {
		/* Above MAXPHYADDR the guest's own page walk would fault. */
		uint64_t gpa = far[i] < top ? far[i] : top - LARGE_PAGE_SIZE;
		bool mapped = map_identity_2m(gpa);
		bool ok = mapped && probe_absent(gpa + 0x1000, &seen);

		check(ok, i == 0 ? "far-gpa-512g" : "far-gpa-1012g",
		      "GPA %#llx (MAXPHYADDR %u): reads %#llx, write dropped%s",
		      (unsigned long long)gpa + 0x1000, cpu_phys_bits(), (unsigned long long)seen,
		      mapped ? "" : " (no page-table pages left)");
	}

	unsigned bad = 0, tried = 0;

	for (size_t i = 0; i < ARRAY_SIZE(low); i++) {
		if (low[i] < ram_bytes())
			continue;
		tried++;
		bad += !probe_absent(low[i] + 0xF00, &seen);
	}
	check(bad == 0, "gpa-below-4g", "%u of %u non-RAM GPAs below 4 GiB (1G, 3G, 4G-4K) misbehaved",
	      bad, tried);
}

/* Guest-physical HV_WINDOW is the guest's own (zeroed) RAM, not Plinth. */
static void test_hypervisor_window(void)
{
	unsigned magic = 0, unexpected = 0;
	uint64_t end = HV_WINDOW + HV_WINDOW_SIZE;

	for (uint64_t a = HV_WINDOW; a < end; a += 4) {
		uint32_t v = *(volatile uint32_t *)a;
		uint32_t want = a < ram_bytes() ? 0 : 0xFFFFFFFFu;

		magic += v == MB1_MAGIC || v == MB2_MAGIC;
		unexpected += v != want;
	}
	check(magic == 0, "hv-window-no-image",
	      "GPA %#llx..%#llx: %u multiboot magic word(s)", HV_WINDOW,
	      (unsigned long long)end, magic);
	check(unexpected == 0, "hv-window-zero",
	      "GPA %#llx..%#llx: %u word(s) not zero (RAM) / all ones (beyond RAM)",
	      HV_WINDOW, (unsigned long long)end, unexpected);

	/* All of RAM except this guest's own image, which holds the constants. */
	uint64_t own_lo = (uint64_t)__image_start, own_hi = (uint64_t)__bss_end;
	unsigned found = 0;
	uint64_t first = 0;

	for (uint64_t a = 0; a < ram_bytes(); a += 4) {
		if (a == own_lo) {
			a = own_hi - 4;
			continue;
		}
		uint32_t v = *(volatile uint32_t *)a;
		if (v == MB1_MAGIC || v == MB2_MAGIC) {
			if (!found)
				first = a;
			found++;
		}
	}
	check(found == 0, "ram-no-image", "%u multiboot magic word(s) in %u KiB of RAM (first at %#llx)",
	      found, rt_boot_ebx, (unsigned long long)first);
}

/* ---- Hypercall abuse ------------------------------------------------------------ */

static void test_hypercall_abuse(void)
{
	long wrap = hc_console_write(0xFFFFFFFFFFFFFFF0ull, 32);
	long r256 = hc_raise_irq(256);
	long rbig = hc_raise_irq(~0ul);

	check(wrap == -E_FAULT, "hc-console-wrap", "write of 32 bytes at GPA 2^64-16 = %ld (want %d)",
	      wrap, -E_FAULT);
	check(r256 == -E_INVAL && rbig == -E_INVAL, "hc-raise-irq-range",
	      "HC_RAISE_IRQ(256) = %ld, HC_RAISE_IRQ(~0) = %ld (want %d)", r256, rbig, -E_INVAL);
}

/* ---- Exit storm ----------------------------------------------------------------- */

static void test_exit_storm(void)
{
	unsigned bad_cpuid = 0, bad_in = 0;
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < STORM_CPUID; i++)
		bad_cpuid += cpuid(CPUID_HV_BASE, 0).eax != CPUID_HV_FEATURES;
	uint64_t t1 = rdtsc();
	for (unsigned i = 0; i < STORM_IN; i++)
		bad_in += inb(UNCLAIMED_PORT) != 0xFF;
	uint64_t t2 = rdtsc();

	check(bad_cpuid == 0, "storm-cpuid", "%u CPUIDs in %llu Mcycles, %u wrong", STORM_CPUID,
	      (unsigned long long)(t1 - t0) >> 20, bad_cpuid);
	check(bad_in == 0, "storm-io", "%u INs in %llu Mcycles, %u not 0xff", STORM_IN,
	      (unsigned long long)(t2 - t1) >> 20, bad_in);
}

/* ---- Last act ------------------------------------------------------------------- */

static __noreturn void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };

	/* UD2 -> #UD: no gate -> #GP -> no gate -> #DF -> no gate: shutdown. */
	asm volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
	say("FAIL triple-fault: still running after UD2 with an empty IDT");
	hypercall(HC_EXIT, 1, 0, 0);
	for (;;)
		asm volatile("cli; hlt");
}

void guest_main(void)
{
	say("hostile: RAM %u KiB", rt_boot_ebx);
	test_virt_insns();
	test_wild_msrs();
	test_far_memory();
	test_hypervisor_window();
	test_hypercall_abuse();
	test_exit_storm();
	say("hostile: last act: a triple fault (empty IDT, then UD2)");
	report_result();
	triple_fault();
}
