/* The AMD-V backend as core sees it: one ops table (include/plinth/backend.h). */
#define LOG_TAG "svm"
#include <plinth/backend.h>
#include <plinth/hypercall.h>
#include <plinth/log.h>
#include <plinth/pt_x86.h>

#include "svm.h"
#include "svm_probe.h"

/* NPT entries are host page-table entries (APM 15.25); 1 GiB leaves when the CPU has them. */
static const struct pt_format *svm_stage2_format(const struct virt_caps *caps)
{
	return pt_x86_npt_format(caps->stage2_1g ? 3 : 2);
}

const struct backend_ops svm_backend = {
	.name = "svm",
	.long_name = "AMD-V (SVM) with nested paging",
	.hypercall_insn = HC_INSN_VMMCALL,
	.cpu_has = svm_cpu_has,
	.probe = svm_probe,
	.cpu_enable = svm_cpu_enable,
	.stage2_format = svm_stage2_format,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.creg_read = svm_creg_read,
	.creg_write = svm_creg_write,
	.seg_read = svm_seg_read,
	.inject = svm_inject,
	.irq_ready = svm_irq_ready,
	.irq_window = svm_irq_window,
	.stage2_flush = svm_stage2_flush,
};
