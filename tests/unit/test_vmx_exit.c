/*
 * The pure parts of the VT-x backend: exit decoding (vmx_exit.c), the
 * guest-state diagnosis (vmx_check.c), VM-instruction error texts
 * (vmx_errors.c), access-rights conversion (vmx_seg.c) and the start state
 * (vmx_start.c).
 */
#include "host_shim.h"

#include <string.h>

#include <plinth/errno.h>

#include "../../arch/x86/vmx/vmcs_fields.h"
#include "../../arch/x86/vmx/vmx.h"

struct vmx_features vmx_features; /* vmx_probe.c is not linked */

static struct vcpu_regs regs;

static struct vm_exit decode(uint32_t reason, uint64_t qual, uint32_t intr_info,
			     uint32_t intr_error, uint32_t len)
{
	struct vmx_exit_info x = {
		.reason = reason, .qualification = qual, .intr_info = intr_info,
		.intr_error = intr_error, .insn_len = len, .gpa = 0xFEE00123, .rip = 0x1000,
	};
	struct vm_exit e;

	memset(&e, 0xAB, sizeof(e)); /* the decoder must overwrite everything */
	vmx_exit_decode(&x, &regs, &e);
	return e;
}

static void test_instruction_exits(void **state)
{
	static const struct { uint32_t reason; enum vm_exit_reason want; } cases[] = {
		{ 10, VMEXIT_CPUID }, { 12, VMEXIT_HLT }, { 18, VMEXIT_HYPERCALL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_exit e = decode(cases[i].reason, 0, 0, 0, 3);
		assert_int_equal(e.reason, cases[i].want);
		assert_int_equal(e.vendor_code, cases[i].reason);
		assert_int_equal(e.next_rip, 0x1003);
	}
}

static void test_vmx_instructions(void **state)
{
	static const struct { uint32_t reason; const char *name; } cases[] = {
		{ 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" }, { 22, "VMPTRST" },
		{ 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" }, { 26, "VMXOFF" },
		{ 27, "VMXON" }, { 50, "INVEPT" }, { 53, "INVVPID" }, { 59, "VMFUNC" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_exit e = decode(cases[i].reason, 0, 0, 0, 4);
		assert_int_equal(e.reason, VMEXIT_VIRT_INSN);
		assert_string_equal(e.virt_insn.name, cases[i].name);
		assert_int_equal(e.next_rip, 0x1004);
	}
}

static void test_msr(void **state)
{
	(void)state;
	regs.rcx = 0xFFFFFFFF00000277ULL;
	regs.rax = 0xAAAAAAAA00000006ULL;
	regs.rdx = 0xBBBBBBBB00070406ULL;
	struct vm_exit e = decode(31, 0, 0, 0, 2);
	assert_int_equal(e.reason, VMEXIT_MSR_READ);
	assert_int_equal(e.msr.index, 0x277);
	assert_int_equal(e.next_rip, 0x1002);
	e = decode(32, 0, 0, 0, 2);
	assert_int_equal(e.reason, VMEXIT_MSR_WRITE);
	assert_int_equal(e.msr.value, 0x0007040600000006ULL);
}

static void test_io(void **state)
{
	(void)state;
	/* OUT DX, AL to port 0x3F8: size 1, out. */
	struct vm_exit e = decode(30, 0x3F8ULL << 16, 0, 0, 1);
	assert_int_equal(e.reason, VMEXIT_IO);
	assert_int_equal(e.io.port, 0x3F8);
	assert_int_equal(e.io.size, 1);
	assert_false(e.io.in);
	assert_false(e.io.string);
	assert_int_equal(e.next_rip, 0x1001);
	/* REP INSW from 0x1F0: size 2, in, string, rep. */
	e = decode(30, 0x1F0ULL << 16 | 1 | 1 << 3 | 1 << 4 | 1 << 5, 0, 0, 3);
	assert_int_equal(e.io.port, 0x1F0);
	assert_int_equal(e.io.size, 2);
	assert_true(e.io.in && e.io.string && e.io.rep);
	/* IN EAX: size field 3 means 4 bytes. */
	assert_int_equal(decode(30, 3 | 1 << 3, 0, 0, 1).io.size, 4);
}

static void test_ept(void **state)
{
	(void)state;
	struct vm_exit e = decode(48, 1 << 1, 0, 0, 0);
	assert_int_equal(e.reason, VMEXIT_STAGE2_FAULT);
	assert_int_equal(e.stage2.gpa, 0xFEE00123);
	assert_int_equal(e.stage2.access, STAGE2_WRITE);
	assert_false(e.stage2.misconfig);
	assert_int_equal(decode(48, 1 << 0, 0, 0, 0).stage2.access, STAGE2_READ);
	assert_int_equal(decode(48, 1 << 2 | 1 << 0, 0, 0, 0).stage2.access, STAGE2_EXEC);
	e = decode(49, 0, 0, 0, 0);
	assert_int_equal(e.reason, VMEXIT_STAGE2_FAULT);
	assert_true(e.stage2.misconfig);
	assert_int_equal(e.next_rip, 0);
}

static void test_events(void **state)
{
	(void)state;
	/* NMI: type 2. */
	assert_int_equal(decode(0, 0, 0x80000202u, 0, 0).reason, VMEXIT_NMI);
	/* #PF with error code 6, address in the qualification. */
	struct vm_exit e = decode(0, 0xDEAD000, 0x80000B0Eu, 6, 0);
	assert_int_equal(e.reason, VMEXIT_EXCEPTION);
	assert_int_equal(e.exception.vector, 14);
	assert_true(e.exception.has_error_code);
	assert_int_equal(e.exception.error_code, 6);
	assert_int_equal(e.exception.cr2, 0xDEAD000);
	/* #DB: no error code, no CR2 even though the qualification has DR6 bits. */
	e = decode(0, 0x4000, 0x80000301u, 0, 0);
	assert_int_equal(e.exception.vector, 1);
	assert_false(e.exception.has_error_code);
	assert_int_equal(e.exception.cr2, 0);
	assert_int_equal(decode(1, 0, 0, 0, 0).reason, VMEXIT_EXTINT);
	assert_int_equal(decode(2, 0, 0, 0, 0).reason, VMEXIT_SHUTDOWN);
	assert_int_equal(decode(3, 0, 0, 0, 0).reason, VMEXIT_INIT);
	assert_int_equal(decode(7, 0, 0, 0, 0).reason, VMEXIT_IRQ_WINDOW);
	assert_int_equal(decode(55, 0, 0, 0, 3).reason, VMEXIT_UNKNOWN); /* XSETBV */
}

static void test_entry_failures(void **state)
{
	(void)state;
	struct vm_exit e = decode(0x80000021u, 0, 0, 0, 0);
	assert_int_equal(e.reason, VMEXIT_INVALID_STATE);
	assert_null(e.invalid.why); /* vmx_run.c diagnoses reason 33 */
	assert_int_equal(e.invalid.info2, 0x80000021u);
	e = decode(0x80000022u, 3, 0, 0, 0);
	assert_int_equal(e.reason, VMEXIT_INVALID_STATE);
	assert_non_null(strstr(e.invalid.why, "MSR"));
	assert_int_equal(e.invalid.info1, 3);
	e = decode(0x80000029u, 0, 0, 0, 0);
	assert_non_null(strstr(e.invalid.why, "machine-check"));
}

static void test_insn_errors(void **state)
{
	(void)state;
	assert_string_equal(vmx_insn_error_text(7), "VM entry with invalid control field(s)");
	assert_string_equal(vmx_insn_error_text(8), "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_insn_error_text(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
	assert_string_equal(vmx_insn_error_text(28), "invalid operand to INVEPT/INVVPID");
	assert_non_null(strstr(vmx_insn_error_text(0), "VMfailInvalid"));
	assert_non_null(strstr(vmx_insn_error_text(14), "unknown"));
	assert_non_null(strstr(vmx_insn_error_text(999), "unknown"));
}

static void test_access_rights(void **state)
{
	(void)state;
	/* 64-bit code: type B, S, P, L, G -> 0xA09B. */
	uint16_t code64 = SEG_ATTR_TYPE(0xB) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_L | SEG_ATTR_G;
	assert_int_equal(vmx_ar_from_attr(code64), 0xA09B);
	assert_int_equal(vmx_attr_from_ar(0xA09B), code64);
	/* Flat 32-bit data: 0xC093. */
	assert_int_equal(vmx_ar_from_attr(SEG_ATTR_TYPE(3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB |
					  SEG_ATTR_G), 0xC093);
	/* Not present: unusable; unusable reads back as not present. */
	assert_int_equal(vmx_ar_from_attr(0) & VMX_AR_UNUSABLE, VMX_AR_UNUSABLE);
	assert_int_equal(vmx_attr_from_ar(VMX_AR_UNUSABLE | 0x93) & SEG_ATTR_P, 0);
	for (unsigned a = 0; a < 0x1000; a++)
		if (a & SEG_ATTR_P)
			assert_int_equal(vmx_attr_from_ar(vmx_ar_from_attr((uint16_t)a)), a);
}

/* A state the checks accept: the real-mode start with VMX's fixed bits applied. */
static struct vmx_guest_check good_state(void)
{
	struct vmx_start s;
	struct vmx_guest_check g;

	assert_int_equal(vmx_start_state(&s, VCPU_START_REAL, 0x8000), 0);
	memset(&g, 0, sizeof(g));
	memcpy(g.seg, s.seg, sizeof(g.seg));
	g.cr0 = s.cr0 | 0x20;   /* NE */
	g.cr4 = 0x2000;         /* VMXE */
	g.rflags = s.rflags;
	g.link_pointer = ~0ULL;
	g.entry_controls = ENTRY_LOAD_EFER | ENTRY_LOAD_PAT;
	g.proc2 = PROC2_UNRESTRICTED_GUEST | PROC2_EPT;
	return g;
}

static void test_start_and_checks(void **state)
{
	(void)state;
	vmx_features.cr0_fixed0 = 0x80000021; /* PG NE PE */
	vmx_features.cr0_fixed1 = 0xFFFFFFFF;
	vmx_features.cr4_fixed0 = 0x2000;
	vmx_features.cr4_fixed1 = 0x3767FF;
	struct vmx_guest_check g = good_state();
	assert_null(vmx_check_guest(&g, &vmx_features));
	assert_int_equal(g.seg[SEG_CS].selector, 0x800);
	assert_int_equal(g.seg[SEG_CS].base, 0x8000);
	assert_int_equal(g.seg[SEG_CS].limit, 0xFFFF);

	g = good_state();
	g.cr4 = 0;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "CR4"));
	g = good_state();
	g.cr0 &= ~0x20ULL;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "FIXED0"));
	/* Without unrestricted guest, PE and PG are required too. */
	g = good_state();
	g.proc2 = PROC2_EPT;
	assert_non_null(vmx_check_guest(&g, &vmx_features));
	g = good_state();
	g.efer = 1ULL << 10;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "LMA"));
	g = good_state();
	g.rflags = 0;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "RFLAGS"));
	g = good_state();
	g.seg[SEG_TR].ar = (g.seg[SEG_TR].ar & ~0xFu) | 9; /* available, not busy */
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "TR"));
	g = good_state();
	g.seg[SEG_CS].ar = (g.seg[SEG_CS].ar & ~0xFu) | 2;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "CS"));
	g = good_state();
	g.seg[SEG_DS].limit = 0x100000; /* above 1 MiB with G=0 */
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "limit"));
	/* The self-test's state: LME+PG without PAE, IA-32e mode from LMA. */
	g = good_state();
	g.cr0 |= 0x80000001;
	g.efer = 0x500;
	g.entry_controls |= ENTRY_IA32E_GUEST;
	assert_non_null(strstr(vmx_check_guest(&g, &vmx_features), "PAE"));

	struct vmx_start s;
	assert_int_equal(vmx_start_state(&s, VCPU_START_PROT32, 0x100000), 0);
	assert_int_equal(s.seg[SEG_CS].ar, 0xC09B);
	assert_int_equal(s.seg[SEG_CS].limit, 0xFFFFFFFF);
	assert_int_equal(s.seg[SEG_SS].ar, 0xC093);
	assert_int_equal(s.cr0, 0x11);
	assert_int_equal(s.rip, 0x100000);
	assert_int_equal(vmx_start_state(&s, VCPU_START_REAL, 0x100000), -E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instruction_exits),
		cmocka_unit_test(test_vmx_instructions),
		cmocka_unit_test(test_msr),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_ept),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_entry_failures),
		cmocka_unit_test(test_insn_errors),
		cmocka_unit_test(test_access_rights),
		cmocka_unit_test(test_start_and_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
