/*
 * Turning VMX on for a CPU (SDM vol. 3C, 24.7-24.8 "Enabling and Entering
 * VMX Operation"; 24.11.5 for the VMXON region): IA32_FEATURE_CONTROL must
 * allow VMXON outside SMX (Plinth sets and locks it when the firmware left
 * it unlocked), CR0 and CR4 must hold the bits IA32_VMX_CR0/CR4_FIXED0
 * require and none that FIXED1 forbids (CR4.VMXE among them), and VMXON
 * takes a page that starts with the VMCS revision identifier.
 */
#define LOG_TAG "vmx"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>

#include "vmx.h"
#include "vmx_insn.h"

#define CR4_VMXE (1ULL << 13)

/* Indexed by CPU number: each CPU has its own VMXON region and current VMCS. */
static struct vmx_cpu vmx_cpus[MAX_CPUS];

struct vmx_cpu *vmx_this_cpu(void)
{
	return &vmx_cpus[this_cpu()->cpu];
}

bool vmx_make_current(struct vmx_vcpu *xv)
{
	struct vmx_cpu *cpu = vmx_this_cpu();

	if (cpu->current_vmcs == xv->vmcs_pa)
		return true;
	if (!vmcs_load(xv->vmcs_pa)) {
		log_error("VMPTRLD %#llx failed", (unsigned long long)xv->vmcs_pa);
		cpu->current_vmcs = 0;
		return false;
	}
	cpu->current_vmcs = xv->vmcs_pa;
	/*
	 * A VMCS last used on another CPU (which must have VMCLEARed it first,
	 * and the caller must VMLAUNCH it again) holds that CPU's TR, GDTR and
	 * IDTR bases in its host state, and that CPU's cached translations for
	 * its VPID and EPTP may be stale here.
	 */
	if (xv->host_cpu != this_cpu()->cpu) {
		if (!vmx_write_host_state())
			return false;
		xv->host_cpu = this_cpu()->cpu;
		xv->flush_pending = true;
	}
	return true;
}

static int feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	switch (vmx_feature_control_decide(fc)) {
	case VMX_FC_READY:
		return 0;
	case VMX_FC_LOCK_IT:
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
		log_info("IA32_FEATURE_CONTROL was unlocked: VMX outside SMX enabled and locked");
		return 0;
	case VMX_FC_DISABLED:
		break;
	}
	log_error("VMX is off in the locked IA32_FEATURE_CONTROL: a firmware setting "
		  "(enable Intel Virtualization Technology in the firmware setup)");
	return -E_DISABLED;
}

/* Apply the fixed bits; log what had to change. */
static void fix_control_registers(void)
{
	const struct vmx_features *f = &vmx_features;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	uint64_t new_cr0 = (cr0 | f->cr0_fixed0) & f->cr0_fixed1;
	uint64_t new_cr4 = (cr4 | f->cr4_fixed0) & f->cr4_fixed1;

	if (new_cr0 != cr0) {
		log_info("host CR0 %#llx -> %#llx for VMX (IA32_VMX_CR0_FIXED0/1)",
			 (unsigned long long)cr0, (unsigned long long)new_cr0);
		write_cr0(new_cr0);
	}
	write_cr4(new_cr4);
}

int vmx_cpu_enable(void)
{
	struct vmx_cpu *cpu = vmx_this_cpu();
	int err;

	if (cpu->enabled)
		return 0;
	err = feature_control();
	if (err)
		return err;
	err = page_alloc(0, &cpu->vmxon_pa);
	if (err) {
		log_error("no page for the VMXON region: %s", err_name(err));
		return err;
	}
	memset(phys_to_virt(cpu->vmxon_pa), 0, PAGE_SIZE);
	*(uint32_t *)phys_to_virt(cpu->vmxon_pa) = vmx_features.revision;
	fix_control_registers();
	if (!vmx_on(cpu->vmxon_pa)) {
		log_error("VMXON failed (region %#llx, revision %#x, CR0 %#llx, CR4 %#llx)",
			  (unsigned long long)cpu->vmxon_pa, vmx_features.revision,
			  (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		write_cr4(read_cr4() & ~CR4_VMXE);
		page_free(cpu->vmxon_pa, 0);
		return -E_NOTSUP;
	}
	cpu->enabled = true;
	log_info("VMX enabled on CPU %u: VMXON region %#llx, VMCS revision %#x", this_cpu()->cpu,
		 (unsigned long long)cpu->vmxon_pa, vmx_features.revision);
	return 0;
}
