/*
 * Turning SVM on for a CPU (APM vol. 2, 15.4 and 15.30.4): EFER.SVME, a host
 * save area for VMRUN (VM_HSAVE_PA), and a host VMCB that the world switch
 * VMSAVEs/VMLOADs, because VMRUN and #VMEXIT do not switch FS, GS, TR, LDTR,
 * KernelGSBase and the SYSCALL/SYSENTER MSRs.
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>

#include "svm.h"

/* Indexed by CPU number: each CPU has its own host save area and host VMCB. */
static struct svm_cpu svm_cpus[MAX_CPUS];

struct svm_cpu *svm_this_cpu(void)
{
	return &svm_cpus[this_cpu()->cpu];
}

static int alloc_zeroed_page(paddr_t *out)
{
	int err = page_alloc(0, out);

	if (err)
		return err;
	memset(phys_to_virt(*out), 0, PAGE_SIZE);
	return 0;
}

int svm_cpu_enable(void)
{
	struct svm_cpu *cpu = svm_this_cpu();
	int err;

	if (cpu->enabled)
		return 0;
	err = alloc_zeroed_page(&cpu->hsave_pa);
	if (err) {
		log_error("no page for the host save area: %s", err_name(err));
		return err;
	}
	err = alloc_zeroed_page(&cpu->host_vmcb_pa);
	if (err) {
		log_error("no page for the host VMCB: %s", err_name(err));
		page_free(cpu->hsave_pa, 0);
		return err;
	}
	/* The save area is in place before SVM instructions can run at all. */
	wrmsr(SVM_MSR_VM_HSAVE_PA, cpu->hsave_pa);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | SVM_EFER_SVME);
	cpu->enabled = true;
	log_info("SVM enabled on CPU %u: host save area %#llx, host VMCB %#llx", this_cpu()->cpu,
		 (unsigned long long)cpu->hsave_pa, (unsigned long long)cpu->host_vmcb_pa);
	return 0;
}
