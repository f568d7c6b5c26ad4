/*
 * The SVM exit decoder (arch/x86/svm/svm_exit.c) and the VMEXIT_INVALID
 * diagnosis (svm_check.c): VMCB control-area values as the CPU (or QEMU TCG)
 * leaves them, and the struct vm_exit core gets.
 */
#include "host_shim.h"

#include <string.h>

#include "../../arch/x86/svm/svm.h"

static const struct svm_features with_nrips = { .nasid = 16, .nrips = true, .flush_by_asid = true };
static const struct svm_features no_nrips = { .nasid = 16, .nrips = false, .flush_by_asid = false };

static struct vmcb vmcb;
static struct vcpu_regs regs;

static int setup(void **state)
{
	(void)state;
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&regs, 0, sizeof(regs));
	return 0;
}

static struct vm_exit decode(uint64_t code, uint64_t info1, uint64_t info2,
			     const struct svm_features *f)
{
	struct vm_exit e;

	vmcb.control.exitcode = code;
	vmcb.control.exitinfo1 = info1;
	vmcb.control.exitinfo2 = info2;
	memset(&e, 0xAB, sizeof(e)); /* the decoder must overwrite everything */
	svm_exit_decode(&vmcb, &regs, f, &e);
	return e;
}

/* ---- instruction intercepts and next_rip ------------------------------- */

static void test_simple_instructions(void **state)
{
	static const struct { uint64_t code; enum vm_exit_reason reason; } cases[] = {
		{ 0x72, VMEXIT_CPUID },
		{ 0x78, VMEXIT_HLT },
		{ 0x81, VMEXIT_HYPERCALL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vmcb.control.next_rip = 0x1234;
		struct vm_exit e = decode(cases[i].code, 0, 0, &with_nrips);
		assert_int_equal(e.reason, cases[i].reason);
		assert_int_equal(e.vendor_code, cases[i].code);
		assert_int_equal(e.next_rip, 0x1234);
		/* Without NRIP save (QEMU TCG) the field is not trusted: core decodes. */
		e = decode(cases[i].code, 0, 0, &no_nrips);
		assert_int_equal(e.reason, cases[i].reason);
		assert_int_equal(e.next_rip, 0);
	}
}

static void test_virt_instructions(void **state)
{
	static const struct { uint64_t code; const char *name; } cases[] = {
		{ 0x80, "VMRUN" }, { 0x82, "VMLOAD" }, { 0x83, "VMSAVE" }, { 0x84, "STGI" },
		{ 0x85, "CLGI" }, { 0x86, "SKINIT" }, { 0x7A, "INVLPGA" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vmcb.control.next_rip = 0x5000 + i;
		struct vm_exit e = decode(cases[i].code, 0, 0, &with_nrips);
		assert_int_equal(e.reason, VMEXIT_VIRT_INSN);
		assert_string_equal(e.virt_insn.name, cases[i].name);
		assert_int_equal(e.next_rip, 0x5000 + i);
		assert_int_equal(decode(cases[i].code, 0, 0, &no_nrips).next_rip, 0);
	}
}

/* ---- MSR ----------------------------------------------------------------- */

static void test_msr(void **state)
{
	(void)state;
	regs.rcx = 0xFFFFFFFF00000277ULL; /* upper half of RCX is ignored */
	regs.rax = 0xDEADBEEF00070406ULL; /* only EAX counts */
	regs.rdx = 0xCAFEBABE00070406ULL; /* only EDX counts */
	vmcb.control.next_rip = 0x2002;

	struct vm_exit e = decode(0x7C, 0, 0, &with_nrips);
	assert_int_equal(e.reason, VMEXIT_MSR_READ);
	assert_int_equal(e.msr.index, 0x277);
	assert_int_equal(e.msr.value, 0);
	assert_int_equal(e.next_rip, 0x2002);

	e = decode(0x7C, 1, 0, &with_nrips);
	assert_int_equal(e.reason, VMEXIT_MSR_WRITE);
	assert_int_equal(e.msr.index, 0x277);
	assert_int_equal(e.msr.value, 0x0007040600070406ULL);

	regs.rcx = 0xC0000080;
	regs.rdx = 0;
	regs.rax = 0xD01;
	e = decode(0x7C, 1, 0, &no_nrips);
	assert_int_equal(e.msr.index, 0xC0000080);
	assert_int_equal(e.msr.value, 0xD01);
	assert_int_equal(e.next_rip, 0);
}

/* ---- IOIO ---------------------------------------------------------------- */

#define IO_IN 1u
#define IO_STR 4u
#define IO_REP 8u
#define IO_SZ8 16u
#define IO_SZ16 32u
#define IO_SZ32 64u
#define IO_A16 (1u << 7)
#define IO_A32 (1u << 8)
#define IO_PORT(p) ((uint64_t)(p) << 16)

static void test_ioio(void **state)
{
	(void)state;
	/* OUT DX, AL to 0x3F8; EXITINFO2 is the next RIP even without NRIP save. */
	struct vm_exit e = decode(0x7B, IO_PORT(0x3F8) | IO_SZ8 | IO_A32, 0x100005, &no_nrips);
	assert_int_equal(e.reason, VMEXIT_IO);
	assert_int_equal(e.io.port, 0x3F8);
	assert_int_equal(e.io.size, 1);
	assert_false(e.io.in);
	assert_false(e.io.string);
	assert_false(e.io.rep);
	assert_int_equal(e.next_rip, 0x100005);

	/* IN AX, DX */
	e = decode(0x7B, IO_PORT(0x1F0) | IO_IN | IO_SZ16 | IO_A32, 0x200, &no_nrips);
	assert_int_equal(e.io.port, 0x1F0);
	assert_int_equal(e.io.size, 2);
	assert_true(e.io.in);

	/* IN EAX, DX with NRIP save: still EXITINFO2, not nRIP. */
	vmcb.control.next_rip = 0x999;
	e = decode(0x7B, IO_PORT(0xCFC) | IO_IN | IO_SZ32 | IO_A32, 0x300, &with_nrips);
	assert_int_equal(e.io.port, 0xCFC);
	assert_int_equal(e.io.size, 4);
	assert_int_equal(e.next_rip, 0x300);

	/* REP OUTSB to port 0xFFFF */
	e = decode(0x7B, IO_PORT(0xFFFF) | IO_STR | IO_REP | IO_SZ8 | IO_A16, 0x8003, &no_nrips);
	assert_int_equal(e.io.port, 0xFFFF);
	assert_int_equal(e.io.size, 1);
	assert_false(e.io.in);
	assert_true(e.io.string);
	assert_true(e.io.rep);
	assert_int_equal(e.next_rip, 0x8003);

	/* INSD without REP */
	e = decode(0x7B, IO_PORT(0x60) | IO_IN | IO_STR | IO_SZ32 | IO_A32, 0x10, &no_nrips);
	assert_true(e.io.in);
	assert_true(e.io.string);
	assert_false(e.io.rep);
	assert_int_equal(e.io.size, 4);

	/* Port 0 */
	e = decode(0x7B, IO_SZ8, 1, &no_nrips);
	assert_int_equal(e.io.port, 0);
	assert_int_equal(e.io.size, 1);
}

/* ---- NPF ----------------------------------------------------------------- */

static void test_npf(void **state)
{
	(void)state;
	/* Read of an unmapped page, final translation (bit 32). */
	struct vm_exit e = decode(0x400, 1ULL << 32 | 0x4, 0xFEE00000, &with_nrips);
	assert_int_equal(e.reason, VMEXIT_STAGE2_FAULT);
	assert_int_equal(e.vendor_code, 0x400);
	assert_int_equal(e.stage2.gpa, 0xFEE00000);
	assert_int_equal(e.stage2.access, STAGE2_READ);
	assert_false(e.stage2.misconfig);
	assert_int_equal(e.next_rip, 0);

	/* Write with P set (permission fault). */
	e = decode(0x400, 1ULL << 32 | 0x7, 0x1000, &with_nrips);
	assert_int_equal(e.stage2.access, STAGE2_WRITE);
	/* The same write as QEMU TCG may report it, without P. */
	e = decode(0x400, 1ULL << 32 | 0x6, 0x1000, &no_nrips);
	assert_int_equal(e.stage2.access, STAGE2_WRITE);
	assert_int_equal(e.stage2.gpa, 0x1000);

	/* Instruction fetch. */
	e = decode(0x400, 1ULL << 32 | 0x15, 0x7FFFF000, &no_nrips);
	assert_int_equal(e.stage2.access, STAGE2_EXEC);
	/* Fault during the guest's page walk (bit 33): the walk reads. */
	e = decode(0x400, 1ULL << 33 | 0x4, 0x3000, &no_nrips);
	assert_int_equal(e.stage2.access, STAGE2_READ);
	assert_int_equal(e.stage2.gpa, 0x3000);
	/* Reserved bits in an NPT entry: our own tables are broken. */
	e = decode(0x400, 1ULL << 32 | 0xD, 0x4000, &no_nrips);
	assert_true(e.stage2.misconfig);
	/* A GPA above 4 GiB survives. */
	e = decode(0x400, 1ULL << 32 | 0x4, 0x123456789000ULL, &no_nrips);
	assert_int_equal(e.stage2.gpa, 0x123456789000ULL);
}

/* ---- exceptions ------------------------------------------------------------ */

static void test_exceptions(void **state)
{
	(void)state;
	for (unsigned vec = 0; vec < 32; vec++) {
		bool has_ec = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 ||
			      vec == 29 || vec == 30;
		struct vm_exit e = decode(0x40 + vec, 0xFFFFFFFF00000000ULL | (0x10 + vec), 0xC0FFEE,
					  &with_nrips);
		assert_int_equal(e.reason, VMEXIT_EXCEPTION);
		assert_int_equal(e.vendor_code, 0x40 + vec);
		assert_int_equal(e.exception.vector, vec);
		assert_int_equal(e.exception.has_error_code, has_ec);
		assert_int_equal(e.exception.error_code, has_ec ? 0x10 + vec : 0);
		assert_int_equal(e.exception.cr2, vec == 14 ? 0xC0FFEE : 0);
		assert_int_equal(e.next_rip, 0);
	}
	/* #AC(0) and #DB as they are intercepted. */
	struct vm_exit e = decode(0x51, 0, 0, &no_nrips);
	assert_int_equal(e.exception.vector, 17);
	assert_true(e.exception.has_error_code);
	assert_int_equal(e.exception.error_code, 0);
	e = decode(0x41, 0, 0, &no_nrips);
	assert_int_equal(e.exception.vector, 1);
	assert_false(e.exception.has_error_code);
	/* #PF: error code and the faulting address. */
	e = decode(0x4E, 0x6, 0xFFFF800000001000ULL, &no_nrips);
	assert_int_equal(e.exception.vector, 14);
	assert_int_equal(e.exception.error_code, 6);
	assert_int_equal(e.exception.cr2, 0xFFFF800000001000ULL);
}

/* ---- asynchronous and other exits ----------------------------------------- */

static void test_async(void **state)
{
	static const struct { uint64_t code; enum vm_exit_reason reason; } cases[] = {
		{ 0x60, VMEXIT_EXTINT },
		{ 0x61, VMEXIT_NMI },
		{ 0x64, VMEXIT_IRQ_WINDOW },
		{ 0x63, VMEXIT_INIT },
		{ 0x7F, VMEXIT_SHUTDOWN },
	};
	(void)state;
	vmcb.control.next_rip = 0x4444; /* stale: must not be reported */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_exit e = decode(cases[i].code, 0, 0, &with_nrips);
		assert_int_equal(e.reason, cases[i].reason);
		assert_int_equal(e.vendor_code, cases[i].code);
		assert_int_equal(e.next_rip, 0);
	}
}

static void test_unknown(void **state)
{
	static const uint64_t codes[] = {
		0x00, 0x10, 0x6E /* RDTSC */, 0x77 /* PAUSE */, 0x7D /* task switch */,
		0x8D /* XSETBV */, 0x62 /* SMI */, 0x401, 0x403,
		0xFFFFFFFFFFFFFFFEULL /* VMEXIT_BUSY */, 0x100000072ULL,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct vm_exit e = decode(codes[i], 1, 2, &with_nrips);
		assert_int_equal(e.reason, VMEXIT_UNKNOWN);
		assert_int_equal(e.vendor_code, codes[i]);
		assert_int_equal(e.next_rip, 0);
	}
}

/* ---- VMEXIT_INVALID and its diagnosis ------------------------------------- */

/* A VMCB VMRUN would accept: what svm_vcpu_create builds. */
static void valid_vmcb(void)
{
	memset(&vmcb, 0, sizeof(vmcb));
	assert_int_equal(svm_start_state(&vmcb.save, VCPU_START_PROT32, 0x100000), 0);
	vmcb.control.intercept_misc2 = VMCB_I2_VMRUN | VMCB_I2_VMMCALL;
	vmcb.control.asid = 1;
}

static const char *invalid_why(uint64_t code, const struct svm_features *f)
{
	struct vm_exit e = decode(code, 0x11, 0x22, f);

	assert_int_equal(e.reason, VMEXIT_INVALID_STATE);
	assert_int_equal(e.vendor_code, code);
	assert_int_equal(e.invalid.info1, 0x11);
	assert_int_equal(e.invalid.info2, 0x22);
	assert_int_equal(e.next_rip, 0);
	return e.invalid.why;
}

static void test_invalid_codes(void **state)
{
	(void)state;
	valid_vmcb();
	/* Real hardware: -1. QEMU TCG: only the low 32 bits. */
	assert_null(invalid_why(0xFFFFFFFFFFFFFFFFULL, &with_nrips));
	assert_null(invalid_why(0x00000000FFFFFFFFULL, &no_nrips));
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));
}

static void expect_why(const char *needle)
{
	const char *why = invalid_why(0xFFFFFFFF, &no_nrips);

	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, needle);
}

static void test_invalid_reasons(void **state)
{
	(void)state;
	valid_vmcb();
	vmcb.save.efer = 0;
	expect_why("SVME");

	valid_vmcb();
	vmcb.save.cr0 |= 1ULL << 29; /* NW without CD */
	expect_why("CR0.NW");
	vmcb.save.cr0 |= 1ULL << 30; /* CD and NW together are legal */
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));

	valid_vmcb();
	vmcb.save.cr0 |= 1ULL << 32;
	expect_why("CR0[63:32]");

	valid_vmcb();
	vmcb.save.cr3 = 1ULL << 60;
	expect_why("CR3");

	valid_vmcb();
	vmcb.save.cr4 = 1ULL << 13; /* VMXE: reserved on AMD */
	expect_why("CR4");

	valid_vmcb();
	vmcb.save.dr6 |= 1ULL << 40;
	expect_why("DR6");

	valid_vmcb();
	vmcb.save.dr7 |= 1ULL << 40;
	expect_why("DR7");

	valid_vmcb();
	vmcb.save.efer |= 1ULL << 1;
	expect_why("EFER");

	/* Long mode: LME + PG need PAE and PE, and CS cannot be both L and D. */
	valid_vmcb();
	vmcb.save.efer |= 1ULL << 8;
	vmcb.save.cr0 |= 1ULL << 31;
	expect_why("CR4.PAE");
	vmcb.save.cr4 |= 1ULL << 5;
	vmcb.save.cs.attr |= SEG_ATTR_L; /* D is set by the 32-bit start state */
	expect_why("CS.L and CS.D");
	vmcb.save.cs.attr &= (uint16_t)~SEG_ATTR_DB;
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));
	vmcb.save.cr0 &= ~1ULL;
	expect_why("CR0.PE");

	valid_vmcb();
	vmcb.control.intercept_misc2 = 0;
	expect_why("VMRUN intercept");

	valid_vmcb();
	vmcb.control.asid = 0;
	expect_why("ASID 0");
	vmcb.control.asid = 16;
	expect_why("ASID beyond");

	valid_vmcb();
	vmcb.control.tlb_control = 3;
	expect_why("flushes by ASID"); /* no_nrips has no flush-by-ASID */
	assert_null(svm_check_vmcb(&vmcb, &with_nrips));
	vmcb.control.tlb_control = 2;
	expect_why("TLB_CONTROL");
	vmcb.control.tlb_control = 1;
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));

	/* Event injection: reserved types, an exception with the NMI vector. */
	valid_vmcb();
	vmcb.control.eventinj = VMCB_EVENT_V | 1u << 8 | 0x20;
	expect_why("reserved event type");
	vmcb.control.eventinj = VMCB_EVENT_V | 3u << 8 | 2;
	expect_why("vector 2");
	vmcb.control.eventinj = VMCB_EVENT_V | 3u << 8 | 32;
	expect_why("above 31");
	vmcb.control.eventinj = VMCB_EVENT_V | 1ULL << 20 | 0x20;
	expect_why("reserved bits");
	vmcb.control.eventinj = VMCB_EVENT_V | 3u << 8 | VMCB_EVENT_EV | 13 | 0x18ULL << 32;
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));
	vmcb.control.eventinj = 3u << 8 | 2; /* not valid: not checked */
	assert_null(svm_check_vmcb(&vmcb, &no_nrips));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_simple_instructions, setup),
		cmocka_unit_test_setup(test_virt_instructions, setup),
		cmocka_unit_test_setup(test_msr, setup),
		cmocka_unit_test_setup(test_ioio, setup),
		cmocka_unit_test_setup(test_npf, setup),
		cmocka_unit_test_setup(test_exceptions, setup),
		cmocka_unit_test_setup(test_async, setup),
		cmocka_unit_test_setup(test_unknown, setup),
		cmocka_unit_test_setup(test_invalid_codes, setup),
		cmocka_unit_test_setup(test_invalid_reasons, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
