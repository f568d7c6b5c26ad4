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

#endif
