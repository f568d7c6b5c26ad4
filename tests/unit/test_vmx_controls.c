/* Control words from capability MSR values (arch/x86/vmx/vmx_controls.c). */
#include "host_shim.h"

#include <string.h>

#include <plinth/errno.h>

#include "../../arch/x86/vmx/vmcs_fields.h"
#include "../../arch/x86/vmx/vmx_caps.h"
#include "../../arch/x86/vmx/vmx_controls.h"

/* allowed0 (must be 1) in the low half, allowed1 (may be 1) in the high half. */
static uint64_t cap(uint32_t must, uint32_t may)
{
	return (uint64_t)may << 32 | must;
}

/* Roughly a Skylake with true controls: everything Plinth wants is allowed. */
static struct vmx_ctl_caps skylake(void)
{
	return (struct vmx_ctl_caps){
		.pin = cap(0x16, 0x7F),
		.proc = cap(0x04006172, 0xFFF9FFFE),
		.proc2 = cap(0, 0x0053FFFF),
		.exit = cap(0x00036DFB, 0x003FFFFF),
		.entry = cap(0x000011FB, 0x0000FFFF),
	};
}

static void test_formula(void **state)
{
	uint32_t out;

	(void)state;
	/* (required | wanted) & allowed1 | allowed0 */
	assert_int_equal(vmx_ctl_word("pin-based", cap(0x16, 0x7F), 0x9, 0x40, 0, &out), 0);
	assert_int_equal(out, 0x16 | 0x9 | 0x40);
	/* A wanted bit the CPU lacks is silently left out. */
	assert_int_equal(vmx_ctl_word("pin-based", cap(0x16, 0x1F), 0x9, 0x40, 0, &out), 0);
	assert_int_equal(out, 0x1F);
	/* Runtime bits are checked but start clear. */
	assert_int_equal(vmx_ctl_word("primary processor-based", cap(0, 0xFFFFFFFF), 0, 0,
				      PROC_IRQ_WINDOW_EXITING, &out), 0);
	assert_int_equal(out, 0);
}

static void test_required_missing_is_named(void **state)
{
	uint32_t out;

	(void)state;
	assert_int_equal(vmx_ctl_word("primary processor-based", cap(0, ~PROC_HLT_EXITING),
				      PROC_HLT_EXITING, 0, 0, &out), -E_NOTSUP);
	assert_non_null(strstr(shim_last_log, "HLT exiting"));
	assert_non_null(strstr(shim_last_log, "primary processor-based"));
}

static void test_skylake(void **state)
{
	struct vmx_ctl_caps c = skylake();
	struct vmx_controls out;

	(void)state;
	assert_int_equal(vmx_controls_compute(&c, &out), 0);
	assert_true(out.pin & PIN_EXTINT_EXITING);
	assert_true(out.pin & PIN_NMI_EXITING);
	assert_true(out.pin & PIN_PREEMPTION_TIMER); /* wanted: the scheduler's budget */
	assert_true(out.proc & PROC_HLT_EXITING);
	assert_true(out.proc & PROC_USE_IO_BITMAPS);
	assert_true(out.proc & PROC_USE_MSR_BITMAPS);
	assert_true(out.proc & PROC_ACTIVATE_SECONDARY);
	assert_false(out.proc & PROC_IRQ_WINDOW_EXITING);
	assert_int_equal(out.proc2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED_GUEST | PROC2_RDTSCP |
					    PROC2_INVPCID);
	assert_true(out.proc & PROC_USE_TSC_OFFSETTING);
	assert_true(out.exit & EXIT_HOST_ADDR64);
	assert_true(out.exit & EXIT_LOAD_EFER && out.exit & EXIT_SAVE_EFER);
	assert_true(out.exit & EXIT_LOAD_PAT && out.exit & EXIT_SAVE_PAT);
	assert_false(out.exit & EXIT_ACK_INTERRUPT);
	assert_true(out.entry & ENTRY_LOAD_EFER && out.entry & ENTRY_LOAD_PAT);
	assert_false(out.entry & ENTRY_IA32E_GUEST);
}

static void test_missing_pieces(void **state)
{
	struct vmx_ctl_caps c;
	struct vmx_controls out;

	(void)state;
	c = skylake();
	c.proc2 = cap(0, 0x0053FFFF & ~PROC2_UNRESTRICTED_GUEST);
	assert_int_equal(vmx_controls_compute(&c, &out), -E_NOTSUP);
	assert_non_null(strstr(shim_last_log, "unrestricted guest"));
	c = skylake();
	c.exit = cap(0x00036DFB, 0x003FFFFF & ~EXIT_LOAD_EFER);
	assert_int_equal(vmx_controls_compute(&c, &out), -E_NOTSUP);
	assert_non_null(strstr(shim_last_log, "load IA32_EFER"));
	/* VPID is wanted, not required. */
	c = skylake();
	c.proc2 = cap(0, 0x0053FFFF & ~PROC2_VPID);
	assert_int_equal(vmx_controls_compute(&c, &out), 0);
	assert_false(out.proc2 & PROC2_VPID);
	/* A CPU that forces acknowledge-interrupt-on-exit is refused. */
	c = skylake();
	c.exit = cap(0x00036DFB | EXIT_ACK_INTERRUPT, 0x003FFFFF);
	assert_int_equal(vmx_controls_compute(&c, &out), -E_NOTSUP);
	assert_non_null(strstr(shim_last_log, "acknowledge interrupt on exit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_required_missing_is_named),
		cmocka_unit_test(test_skylake),
		cmocka_unit_test(test_missing_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
