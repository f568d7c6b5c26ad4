/* AMD-V detection: CPUID Fn8000_000A and VM_CR (AMD APM vol. 2, 15.4 and 15.30). */
#define LOG_TAG "svm"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/cpuinfo.h>

#include "svm_probe.h"

#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_ECX_SVM (1u << 2)
#define CPUID_SVM_FEATURES 0x8000000Au
#define MSR_VM_CR 0xC0010114u
#define VM_CR_SVMDIS (1u << 4)

struct svm_features svm_features;

bool svm_cpu_has(void)
{
	if (cpuid(0x80000000u, 0).eax < CPUID_SVM_FEATURES)
		return false;
	return cpuid(CPUID_EXT_FEATURES, 0).ecx & CPUID_EXT_ECX_SVM;
}

static const char *yn(uint32_t features, uint32_t bit)
{
	return features & bit ? "yes" : "no";
}

int svm_probe(struct virt_caps *caps)
{
	struct cpuid_regs r = cpuid(CPUID_SVM_FEATURES, 0);
	uint32_t f = r.edx;
	uint64_t vm_cr;

	log_info("AMD-V rev %u, %u ASIDs: npt=%s nrips=%s vmcb_clean=%s decode_assists=%s "
		 "flush_by_asid=%s vgif=%s avic=%s pause_filter=%s tsc_scale=%s",
		 r.eax & 0xFF, r.ebx, yn(f, SVM_FEAT_NPT), yn(f, SVM_FEAT_NRIPS),
		 yn(f, SVM_FEAT_VMCB_CLEAN), yn(f, SVM_FEAT_DECODE_ASSISTS),
		 yn(f, SVM_FEAT_FLUSH_BY_ASID), yn(f, SVM_FEAT_VGIF), yn(f, SVM_FEAT_AVIC),
		 yn(f, SVM_FEAT_PAUSE_FILTER), yn(f, SVM_FEAT_TSC_RATE));

	/* Emulators may not implement VM_CR; then nothing can have disabled SVM. */
	if (rdmsr_safe(MSR_VM_CR, &vm_cr) == 0 && (vm_cr & VM_CR_SVMDIS)) {
		log_error("AMD-V is disabled by firmware (VM_CR.SVMDIS); enable SVM in the firmware setup");
		caps->firmware_locked = true;
		return -E_DISABLED;
	}
	if (!(f & SVM_FEAT_NPT)) {
		log_error("AMD-V without nested paging (NPT) is not supported");
		return -E_NOTSUP;
	}
	/* ASID 0 is the host's; every vCPU needs one of its own. */
	if (r.ebx < 2) {
		log_error("AMD-V reports %u ASIDs; at least 2 are needed", r.ebx);
		return -E_NOTSUP;
	}
	svm_features.nasid = r.ebx;
	svm_features.nrips = f & SVM_FEAT_NRIPS;
	svm_features.flush_by_asid = f & SVM_FEAT_FLUSH_BY_ASID;
	caps->stage2 = true;
	caps->stage2_2m = true;
	caps->stage2_1g = boot_cpu()->page_1g; /* NPT uses the host paging format */
	caps->next_rip = f & SVM_FEAT_NRIPS;
	caps->tagged_tlb = true;
	caps->real_mode = true;
	caps->preempt_timer = false;
	caps->guest_rdtscp = true;  /* not intercepted */
	caps->guest_invpcid = true;
	return 0;
}
