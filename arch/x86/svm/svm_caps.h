/* CPUID Fn8000_000A EDX feature bits (AMD APM vol. 3, appendix E). */
#ifndef PLINTH_SVM_CAPS_H
#define PLINTH_SVM_CAPS_H

#define SVM_FEAT_NPT (1u << 0)
#define SVM_FEAT_LBR_VIRT (1u << 1)
#define SVM_FEAT_SVML (1u << 2)
#define SVM_FEAT_NRIPS (1u << 3)
#define SVM_FEAT_TSC_RATE (1u << 4)
#define SVM_FEAT_VMCB_CLEAN (1u << 5)
#define SVM_FEAT_FLUSH_BY_ASID (1u << 6)
#define SVM_FEAT_DECODE_ASSISTS (1u << 7)
#define SVM_FEAT_PAUSE_FILTER (1u << 10)
#define SVM_FEAT_AVIC (1u << 13)
#define SVM_FEAT_VGIF (1u << 16)

#ifndef __ASSEMBLY__
#include <plinth/types.h>

/* What the SVM code needs to know about this CPU beyond struct virt_caps. */
struct svm_features {
	uint32_t nasid;     /* CPUID Fn8000_000A EBX: ASIDs, 0 for the host */
	bool nrips;         /* NRIP save: the VMCB reports the next RIP */
	bool flush_by_asid; /* TLB_CONTROL 3 and 7 */
};
#endif

#endif
