/* The IA32_FEATURE_CONTROL decision before VMXON (arch/x86/vmx). */
#include "host_shim.h"

#include "../../arch/x86/vmx/vmx_caps.h"

static void test_decisions(void **state)
{
	(void)state;
	/* Unlocked: Plinth sets VMX-outside-SMX and locks it itself. */
	assert_int_equal(vmx_feature_control_decide(0), VMX_FC_LOCK_IT);
	assert_int_equal(vmx_feature_control_decide(FEATURE_CONTROL_VMX_OUTSIDE_SMX), VMX_FC_LOCK_IT);
	/* Locked with VMX on: ready. */
	assert_int_equal(vmx_feature_control_decide(FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX),
			 VMX_FC_READY);
	/* Locked with VMX off (only inside SMX, or not at all): firmware setting. */
	assert_int_equal(vmx_feature_control_decide(FEATURE_CONTROL_LOCK), VMX_FC_DISABLED);
	assert_int_equal(vmx_feature_control_decide(FEATURE_CONTROL_LOCK | (1u << 1)), VMX_FC_DISABLED);
	/* Unrelated bits (SGX, LMCE...) do not change the answer. */
	assert_int_equal(vmx_feature_control_decide(FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX |
						    (1u << 18) | (1u << 20)),
			 VMX_FC_READY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
