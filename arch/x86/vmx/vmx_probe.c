/*
 * Intel VT-x detection from CPUID and the VMX capability MSRs (SDM vol. 3D,
 * appendix A), and the control words guests will run with (vmx_controls.c).
 */
#define LOG_TAG "vmx"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/x86/cpu.h>

#include "vmx.h"

struct vmx_features vmx_features;
struct vmx_controls vmx_controls;

bool vmx_cpu_has(void)
{
	return cpuid(1, 0).ecx & CPUID_1_ECX_VMX;
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

/* The capability MSRs of the five control words; TRUE_* ones when the CPU has them. */
static void read_ctl_caps(bool true_ctls, struct vmx_ctl_caps *c)
{
	c->pin = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	/* The secondary controls have no TRUE_ MSR; they exist only behind bit 31. */
	c->proc2 = (c->proc >> 32) & PROC_ACTIVATE_SECONDARY ? rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
}

static void read_features(uint64_t basic, uint32_t proc2)
{
	struct vmx_features *f = &vmx_features;

	f->revision = (uint32_t)basic & VMX_BASIC_REVISION_MASK;
	f->true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	f->ept_vpid_cap = proc2 & (PROC2_EPT | PROC2_VPID) ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	f->misc = rdmsr(MSR_IA32_VMX_MISC);
	f->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	f->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	f->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	f->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	f->unrestricted = proc2 & PROC2_UNRESTRICTED_GUEST;
	f->vpid = (proc2 & PROC2_VPID) && (f->ept_vpid_cap & EPT_CAP_INVVPID) &&
		  (f->ept_vpid_cap & (EPT_CAP_INVVPID_SINGLE | EPT_CAP_INVVPID_ALL));
}

int vmx_probe(struct virt_caps *caps)
{
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	struct vmx_ctl_caps ctl;
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	uint32_t pin1, proc2;
	uint64_t ept_cap;
	bool ept;

	read_ctl_caps(basic & VMX_BASIC_TRUE_CTLS, &ctl);
	pin1 = (uint32_t)(ctl.pin >> 32);
	proc2 = (uint32_t)(ctl.proc2 >> 32);
	read_features(basic, proc2);
	ept_cap = vmx_features.ept_vpid_cap;
	ept = (proc2 & PROC2_EPT) && (ept_cap & EPT_CAP_WALK_4) && (ept_cap & EPT_CAP_WB) &&
	      (ept_cap & EPT_CAP_INVEPT) && (ept_cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL));

	log_info("VT-x: ept=%s vpid=%s unrestricted=%s preemption_timer=%s true_ctls=%s "
		 "ept_2m=%s ept_1g=%s feature_control=%s",
		 yn(ept), yn(vmx_features.vpid), yn(vmx_features.unrestricted),
		 yn(pin1 & PIN_PREEMPTION_TIMER), yn(vmx_features.true_ctls),
		 yn(ept_cap & EPT_CAP_2M), yn(ept_cap & EPT_CAP_1G),
		 !(fc & FEATURE_CONTROL_LOCK) ? "unlocked" :
		 fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "locked,vmx-on" : "locked,vmx-off");

	if (vmx_feature_control_decide(fc) == VMX_FC_DISABLED) {
		log_error("VT-x is disabled by firmware (IA32_FEATURE_CONTROL is locked with VMX off); "
			  "enable Intel Virtualization Technology in the firmware setup");
		caps->firmware_locked = true;
		return -E_DISABLED;
	}
	if (!ept) {
		log_error("VT-x without EPT (4-level, write-back, INVEPT) is not supported");
		return -E_NOTSUP;
	}
	if (vmx_controls_compute(&ctl, &vmx_controls) != 0)
		return -E_NOTSUP; /* each missing control was named */
	if (!vmx_features.vpid)
		vmx_controls.proc2 &= ~PROC2_VPID;
	caps->stage2 = true;
	caps->stage2_2m = ept_cap & EPT_CAP_2M;
	caps->stage2_1g = ept_cap & EPT_CAP_1G;
	caps->next_rip = true; /* the VM-exit instruction length is always reported */
	caps->tagged_tlb = vmx_features.vpid;
	caps->real_mode = vmx_features.unrestricted;
	caps->preempt_timer = pin1 & PIN_PREEMPTION_TIMER; /* arms vcpu.run_budget_tsc */
	caps->guest_rdtscp = vmx_controls.proc2 & PROC2_RDTSCP;
	caps->guest_invpcid = vmx_controls.proc2 & PROC2_INVPCID;
	return 0;
}
