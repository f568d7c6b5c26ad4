/*
 * The host-state area (SDM vol. 3C, 25.5; checked by 27.2.3): what the CPU
 * loads on every VM exit. Written once per VMCS, from the CPU's current
 * state: the hypervisor never changes its CR0/3/4, descriptor tables,
 * selectors, EFER or PAT once guests run. HOST_RSP is the world switch's
 * (vmx_run.S writes it on each entry); HOST_RIP is its return label.
 */
#define LOG_TAG "vmx"
#include <plinth/log.h>
#include <plinth/x86/cpu.h>

#include "vmx.h"
#include "vmx_insn.h"

#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define SELECTOR_INDEX_MASK 0xFFF8u

struct __packed table_reg {
	uint16_t limit;
	uint64_t base;
};

static uint16_t selector(unsigned which)
{
	uint16_t sel = 0;

	switch (which) {
	case 0: __asm__ volatile("mov %%cs, %0" : "=r"(sel)); break;
	case 1: __asm__ volatile("mov %%ss, %0" : "=r"(sel)); break;
	case 2: __asm__ volatile("mov %%ds, %0" : "=r"(sel)); break;
	case 3: __asm__ volatile("mov %%es, %0" : "=r"(sel)); break;
	case 4: __asm__ volatile("mov %%fs, %0" : "=r"(sel)); break;
	case 5: __asm__ volatile("mov %%gs, %0" : "=r"(sel)); break;
	default: __asm__ volatile("str %0" : "=r"(sel)); break;
	}
	/* The host-state checks want RPL = TI = 0. */
	return sel & SELECTOR_INDEX_MASK;
}

/* Base of the 16-byte TSS descriptor `tr` selects in the GDT at `gdt`. */
static uint64_t tss_base(uint64_t gdt, uint16_t tr)
{
	const uint64_t *d = (const uint64_t *)(uintptr_t)(gdt + tr);
	uint64_t lo = d[0], hi = d[1];

	return ((lo >> 16) & 0xFFFFFFULL) | ((lo >> 56) & 0xFF) << 24 | (hi & 0xFFFFFFFFULL) << 32;
}

bool vmx_write_host_state(void)
{
	struct table_reg gdtr, idtr;
	uint16_t tr = selector(6);
	bool ok = true;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	ok &= vmcs_write(VMCS_HOST_CR0, read_cr0());
	ok &= vmcs_write(VMCS_HOST_CR3, read_cr3());
	ok &= vmcs_write(VMCS_HOST_CR4, read_cr4());
	ok &= vmcs_write(VMCS_HOST_CS_SEL, selector(0));
	ok &= vmcs_write(VMCS_HOST_SS_SEL, selector(1));
	ok &= vmcs_write(VMCS_HOST_DS_SEL, selector(2));
	ok &= vmcs_write(VMCS_HOST_ES_SEL, selector(3));
	ok &= vmcs_write(VMCS_HOST_FS_SEL, selector(4));
	ok &= vmcs_write(VMCS_HOST_GS_SEL, selector(5));
	ok &= vmcs_write(VMCS_HOST_TR_SEL, tr);
	ok &= vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	ok &= vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	ok &= vmcs_write(VMCS_HOST_TR_BASE, tss_base(gdtr.base, tr));
	ok &= vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	ok &= vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	ok &= vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	ok &= vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	ok &= vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	ok &= vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	ok &= vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	ok &= vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_host_return);
	if (!ok)
		log_error("writing the VMCS host-state area failed: %s",
			  vmx_insn_error_text((uint32_t)vmcs_read(VMCS_INSN_ERROR)));
	return ok;
}
