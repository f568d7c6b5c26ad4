/* IA32_FEATURE_CONTROL policy, separate from the MSR access so it is host-tested. */
#include "vmx_caps.h"

enum vmx_feature_control_action vmx_feature_control_decide(uint64_t value)
{
	if (!(value & FEATURE_CONTROL_LOCK))
		return VMX_FC_LOCK_IT;
	if (value & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		return VMX_FC_READY;
	return VMX_FC_DISABLED;
}
