/*
 * The VT-x backend as core sees it: one ops table (include/plinth/backend.h),
 * grouped by the files that implement it.
 */
#include <plinth/backend.h>
#include <plinth/hypercall.h>

#include "vmx.h"

const struct backend_ops vmx_backend = {
	.name = "vmx", .long_name = "Intel VT-x (VMX) with EPT", .hypercall_insn = HC_INSN_VMCALL,
	/* vmx_probe.c, vmx_enable.c, vmx_ept.c */
	.cpu_has = vmx_cpu_has, .probe = vmx_probe, .cpu_enable = vmx_cpu_enable,
	.stage2_format = vmx_stage2_format,
	/* vmx_vcpu.c, vmx_run.c */
	.vcpu_create = vmx_vcpu_create, .vcpu_destroy = vmx_vcpu_destroy, .vcpu_put = vmx_vcpu_put,
	.vcpu_run = vmx_vcpu_run, .stage2_flush = vmx_stage2_flush,
	/* vmx_state.c */
	.creg_read = vmx_creg_read, .creg_write = vmx_creg_write, .seg_read = vmx_seg_read,
	/* vmx_event.c */
	.inject = vmx_inject, .irq_ready = vmx_irq_ready, .irq_window = vmx_irq_window,
};
