/*
 * Guest MSRs.
 *
 * The MSR bitmap (SDM vol. 3C, 25.6.9): one 4 KiB page of four 1 KiB maps,
 * read-low, read-high, write-low, write-high, one bit per MSR for
 * 0..0x1FFF and 0xC0000000..0xC0001FFF; a set bit (or an MSR outside both
 * ranges) exits. vmx_vcpu.c starts from all ones and clears the passthrough
 * list.
 *
 * Lazy MSRs: VM entry and exit switch FS/GS base (segment fields), the
 * SYSENTER MSRs, EFER and PAT, but not KERNEL_GS_BASE, STAR, LSTAR, CSTAR
 * and SFMASK. The host never uses SYSCALL or SWAPGS, so instead of
 * intercepting them (core does not emulate them) the guest's values are
 * kept in the CPU while its vCPU owns it, and swapped only when another
 * vCPU enters: the guest reads and writes them directly.
 */
#include <plinth/x86/cpu.h>

#include "vmx.h"

#define BITMAP_READ_LOW 0
#define BITMAP_READ_HIGH 1024
#define BITMAP_WRITE_OFFSET 2048
#define HIGH_RANGE_FIRST 0xC0000000u
#define RANGE_MSRS 0x2000u

const uint32_t vmx_lazy_msr_index[VMX_LAZY_MSR_COUNT] = {
	0xC0000102u, /* KERNEL_GS_BASE */
	0xC0000081u, /* STAR */
	0xC0000082u, /* LSTAR */
	0xC0000083u, /* CSTAR */
	0xC0000084u, /* SFMASK */
};

/* Byte offset of the read bit's byte, or -1 outside the two ranges. */
static int read_byte(uint32_t msr)
{
	if (msr < RANGE_MSRS)
		return BITMAP_READ_LOW + (int)(msr / 8);
	if (msr - HIGH_RANGE_FIRST < RANGE_MSRS)
		return BITMAP_READ_HIGH + (int)((msr - HIGH_RANGE_FIRST) / 8);
	return -1;
}

void vmx_msr_bitmap_passthrough(uint8_t *bitmap, uint32_t msr)
{
	int byte = read_byte(msr);
	uint8_t bit = (uint8_t)(1u << (msr % 8));

	if (byte < 0)
		return;
	bitmap[byte] &= (uint8_t)~bit;
	bitmap[byte + BITMAP_WRITE_OFFSET] &= (uint8_t)~bit;
}

bool vmx_msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, bool write)
{
	int byte = read_byte(msr);

	if (byte < 0)
		return true;
	return bitmap[byte + (write ? BITMAP_WRITE_OFFSET : 0)] & (1u << (msr % 8));
}

void vmx_lazy_msrs_load(struct vcpu *v)
{
	struct vmx_cpu *cpu = vmx_this_cpu();
	struct vcpu *prev = cpu->msr_owner;

	if (prev == v)
		return;
	for (unsigned i = 0; i < VMX_LAZY_MSR_COUNT; i++) {
		if (prev)
			to_vmx(prev)->lazy_msrs[i] = rdmsr(vmx_lazy_msr_index[i]);
		wrmsr(vmx_lazy_msr_index[i], to_vmx(v)->lazy_msrs[i]);
	}
	cpu->msr_owner = v;
}

void vmx_lazy_msrs_save(struct vcpu *v)
{
	struct vmx_cpu *cpu = vmx_this_cpu();

	if (cpu->msr_owner != v)
		return;
	for (unsigned i = 0; i < VMX_LAZY_MSR_COUNT; i++)
		to_vmx(v)->lazy_msrs[i] = rdmsr(vmx_lazy_msr_index[i]);
	cpu->msr_owner = NULL;
}

void vmx_lazy_msrs_forget(struct vcpu *v)
{
	struct vmx_cpu *cpu = vmx_this_cpu();

	if (cpu->msr_owner != v)
		return;
	/* Nothing of a destroyed guest stays in the CPU. */
	for (unsigned i = 0; i < VMX_LAZY_MSR_COUNT; i++)
		wrmsr(vmx_lazy_msr_index[i], 0);
	cpu->msr_owner = NULL;
}
