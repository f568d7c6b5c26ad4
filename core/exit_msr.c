/*
 * MSR policy for the MSRs the backend does not pass through: a short list is
 * emulated, everything else raises #GP in the guest. EFER goes through the
 * backend, and a guest may never turn on SVME (nested virtualization).
 */
#define LOG_TAG "msr"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/exit.h>
#include <plinth/log.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>

#define MSR_TSC 0x10u
#define MSR_PLATFORM_ID 0x17u
#define MSR_APIC_BASE 0x1Bu
#define MSR_FEATURE_CONTROL 0x3Au
#define MSR_UCODE_REV 0x8Bu
#define MSR_MTRR_CAP 0xFEu
#define MSR_MCG_CAP 0x179u
#define MSR_MCG_STATUS 0x17Au
#define MSR_MISC_ENABLE 0x1A0u
#define MSR_MTRR_DEF_TYPE 0x2FFu

#define APIC_BASE_DEFAULT 0xFEE00000u
#define APIC_BASE_BSP (1u << 8)
#define FEATURE_CONTROL_LOCKED 1u   /* locked, VMX off: nesting is not offered */
#define EFER_SCE (1ULL << 0)
#define EFER_LMA (1ULL << 10)
#define EFER_SVME (1ULL << 12)
#define EFER_FFXSR (1ULL << 14)
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_FFXSR)

static void inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, X86_EXC_GP, true, 0);
}

static bool emulated_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_EFER:
		*value = backend->creg_read(v, VCPU_EFER);
		return true;
	case MSR_PAT:
		*value = backend->creg_read(v, VCPU_PAT);
		return true;
	case MSR_TSC:
		*value = rdtsc() + backend->creg_read(v, VCPU_TSC_OFFSET);
		return true;
	case MSR_APIC_BASE:
		*value = APIC_BASE_DEFAULT | (v->id == 0 ? APIC_BASE_BSP : 0); /* APIC disabled */
		return true;
	case MSR_FEATURE_CONTROL:
		*value = FEATURE_CONTROL_LOCKED;
		return true;
	case MSR_MTRR_DEF_TYPE:
		*value = v->mtrr_def_type;
		return true;
	case MSR_PLATFORM_ID:
	case MSR_UCODE_REV:
	case MSR_MTRR_CAP:
	case MSR_MCG_CAP:
	case MSR_MCG_STATUS:
	case MSR_MISC_ENABLE:
		*value = 0;
		return true;
	default:
		return false;
	}
}

void handle_msr_read(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t value;

	if (!emulated_read(v, e->msr.index, &value)) {
		log_debug("%s: rdmsr %#x: #GP", v->guest->name, e->msr.index);
		inject_gp(v);
		return;
	}
	v->regs.rax = (uint32_t)value;
	v->regs.rdx = value >> 32;
	vcpu_skip_insn(v, e);
}

static bool emulated_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	switch (msr) {
	case MSR_EFER:
		if (value & EFER_SVME) {
			log_warn("%s: refused an EFER write setting SVME (%#llx)", v->guest->name,
				 (unsigned long long)value);
			return false;
		}
		if (value & ~EFER_GUEST_WRITABLE)
			return false;
		return backend->creg_write(v, VCPU_EFER, value) == 0;
	case MSR_PAT:
		return backend->creg_write(v, VCPU_PAT, value) == 0;
	case MSR_TSC: /* the guest sets its clock: only its offset moves */
		return backend->creg_write(v, VCPU_TSC_OFFSET, value - rdtsc()) == 0;
	case MSR_MTRR_DEF_TYPE:
		v->mtrr_def_type = value;
		return true;
	case MSR_MCG_STATUS:
		return value == 0;
	default:
		return false;
	}
}

void handle_msr_write(struct vcpu *v, const struct vm_exit *e)
{
	if (!emulated_write(v, e->msr.index, e->msr.value)) {
		log_debug("%s: wrmsr %#x <- %#llx: #GP", v->guest->name, e->msr.index,
			  (unsigned long long)e->msr.value);
		inject_gp(v);
		return;
	}
	vcpu_skip_insn(v, e);
}
