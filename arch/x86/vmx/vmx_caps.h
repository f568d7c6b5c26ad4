/* VMX capability MSRs and bits (Intel SDM vol. 3D, appendix A). */
#ifndef PLINTH_VMX_CAPS_H
#define PLINTH_VMX_CAPS_H

#include <plinth/types.h>

#define CPUID_1_ECX_VMX (1u << 5)

#define MSR_IA32_FEATURE_CONTROL 0x3Au
#define FEATURE_CONTROL_LOCK (1u << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1u << 2)

#define MSR_IA32_VMX_BASIC 0x480u
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define MSR_IA32_VMX_EXIT_CTLS 0x483u
#define MSR_IA32_VMX_ENTRY_CTLS 0x484u
#define MSR_IA32_VMX_MISC 0x485u
#define MSR_IA32_VMX_CR0_FIXED0 0x486u
#define MSR_IA32_VMX_CR0_FIXED1 0x487u
#define MSR_IA32_VMX_CR4_FIXED0 0x488u
#define MSR_IA32_VMX_CR4_FIXED1 0x489u
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48Bu
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48Cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48Du
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48Eu
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48Fu
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u

#define VMX_BASIC_REVISION_MASK 0x7FFFFFFFu
#define VMX_MISC_ZERO_LEN_INJECT (1ULL << 30)
#define VMX_MISC_TIMER_RATE_MASK 0x1Fu /* the timer counts down when TSC bit N changes */

#define VMX_BASIC_TRUE_CTLS (1ULL << 55)
#define PIN_PREEMPTION_TIMER (1u << 6)
#define PROC_ACTIVATE_SECONDARY (1u << 31)
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)   /* else RDTSCP raises #UD in the guest */
#define PROC2_VPID (1u << 5)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)
#define PROC2_INVPCID (1u << 12)  /* else INVPCID raises #UD in the guest */
#define EPT_CAP_WALK_4 (1ULL << 6)
#define EPT_CAP_WB (1ULL << 14)
#define EPT_CAP_2M (1ULL << 16)
#define EPT_CAP_1G (1ULL << 17)
#define EPT_CAP_INVEPT (1ULL << 20)
#define EPT_CAP_INVEPT_SINGLE (1ULL << 25)
#define EPT_CAP_INVEPT_ALL (1ULL << 26)
#define EPT_CAP_INVVPID (1ULL << 32)
#define EPT_CAP_INVVPID_SINGLE (1ULL << 41)
#define EPT_CAP_INVVPID_ALL (1ULL << 42)

/*
 * What the rest of arch/x86/vmx needs to know about this CPU beyond struct
 * virt_caps; filled by vmx_probe() from the capability MSRs.
 */
struct vmx_features {
	uint32_t revision;       /* VMCS / VMXON revision identifier */
	bool true_ctls;          /* IA32_VMX_TRUE_*_CTLS exist */
	uint64_t ept_vpid_cap;   /* IA32_VMX_EPT_VPID_CAP */
	uint64_t misc;           /* IA32_VMX_MISC */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool vpid;               /* VPIDs and INVVPID usable */
	bool unrestricted;
};

extern struct vmx_features vmx_features;

/* What to do about IA32_FEATURE_CONTROL before VMXON (SDM vol. 3C 23.7). */
enum vmx_feature_control_action {
	VMX_FC_READY,        /* locked with VMX outside SMX on */
	VMX_FC_LOCK_IT,      /* unlocked: set VMX-outside-SMX and lock */
	VMX_FC_DISABLED,     /* locked with VMX off: only the firmware can change it */
};

enum vmx_feature_control_action vmx_feature_control_decide(uint64_t value);

#endif
