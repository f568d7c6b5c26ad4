/* Intel VT-x detection from CPUID and the VMX capability MSRs. */
#define LOG_TAG "vmx"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/x86/cpu.h>

#include "vmx_caps.h"

static bool vmx_cpu_has(void)
{
	return cpuid(1, 0).ecx & CPUID_1_ECX_VMX;
}

/* Allowed-1 settings of a control: the high half of its capability MSR. */
static uint32_t allowed1(uint32_t msr)
{
	return (uint32_t)(rdmsr(msr) >> 32);
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

static int vmx_probe(struct virt_caps *caps)
{
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	uint32_t pin = allowed1(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	uint32_t proc = allowed1(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	uint32_t proc2 = proc & PROC_ACTIVATE_SECONDARY ? allowed1(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	uint64_t ept_cap = proc2 & (PROC2_EPT | PROC2_VPID) ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	bool ept = (proc2 & PROC2_EPT) && (ept_cap & EPT_CAP_WALK_4) && (ept_cap & EPT_CAP_WB);

	log_info("VT-x: ept=%s vpid=%s unrestricted=%s preemption_timer=%s true_ctls=%s "
		 "ept_2m=%s ept_1g=%s feature_control=%s",
		 yn(ept), yn(proc2 & PROC2_VPID), yn(proc2 & PROC2_UNRESTRICTED_GUEST),
		 yn(pin & PIN_PREEMPTION_TIMER), yn(true_ctls), yn(ept_cap & EPT_CAP_2M),
		 yn(ept_cap & EPT_CAP_1G),
		 !(fc & FEATURE_CONTROL_LOCK) ? "unlocked" :
		 fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "locked,vmx-on" : "locked,vmx-off");

	if (vmx_feature_control_decide(fc) == VMX_FC_DISABLED) {
		log_error("VT-x is disabled by firmware (IA32_FEATURE_CONTROL is locked with VMX off); "
			  "enable Intel Virtualization Technology in the firmware setup");
		caps->firmware_locked = true;
		return -E_DISABLED;
	}
	if (!ept) {
		log_error("VT-x without EPT (4-level, write-back) is not supported");
		return -E_NOTSUP;
	}
	caps->stage2 = true;
	caps->stage2_2m = ept_cap & EPT_CAP_2M;
	caps->stage2_1g = ept_cap & EPT_CAP_1G;
	caps->next_rip = true; /* VM-exit instruction length is always reported */
	caps->tagged_tlb = proc2 & PROC2_VPID;
	caps->real_mode = proc2 & PROC2_UNRESTRICTED_GUEST;
	caps->preempt_timer = pin & PIN_PREEMPTION_TIMER;
	return 0;
}

const struct backend_ops vmx_backend = {
	.name = "vmx",
	.long_name = "Intel VT-x (VMX) with EPT",
	.cpu_has = vmx_cpu_has,
	.probe = vmx_probe,
};
