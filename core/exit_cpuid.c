/*
 * CPUID: the host's answer, filtered. Hidden: VMX/SVM (no nesting), what
 * Plinth does not virtualize yet (APIC, x2APIC, MONITOR/MWAIT, XSAVE/AVX
 * state, which the world switch does not save), and the host's hypervisor
 * leaves; added: the hypervisor bit and Plinth's own leaves.
 */
#include <plinth/backend.h>
#include <plinth/exit.h>
#include <plinth/hypercall.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>

#define CPUID1_ECX_MONITOR (1u << 3)
#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID7_EBX_AVX2 (1u << 5)
#define CPUID7_EBX_INVPCID (1u << 10)
#define CPUID80000001_EDX_RDTSCP (1u << 27)
#define CPUID7_EBX_AVX512F (1u << 16)
#define CPUID80000001_ECX_SVM (1u << 2)
#define CPUID_SVM_LEAF 0x8000000Au
#define CPUID_XSAVE_LEAF 0xDu

static struct cpuid_regs plinth_leaf(uint32_t leaf)
{
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf == CPUID_HV_BASE) {
		static const char signature[12] = "Plinth";
		r.eax = CPUID_HV_FEATURES;
		memcpy(&r.ebx, signature, 4);
		memcpy(&r.ecx, signature + 4, 4);
		memcpy(&r.edx, signature + 8, 4);
	} else if (leaf == CPUID_HV_FEATURES) {
		r.eax = HC_ABI_VERSION;
		r.ebx = backend->hypercall_insn;
	}
	return r;
}

void handle_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	uint32_t leaf = (uint32_t)v->regs.rax, subleaf = (uint32_t)v->regs.rcx;
	struct cpuid_regs r;

	if ((leaf & 0xF0000000u) == 0x40000000u) {
		r = plinth_leaf(leaf);
	} else {
		r = cpuid(leaf, subleaf);
		switch (leaf) {
		case 1:
			r.ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_MONITOR | CPUID1_ECX_X2APIC |
				   CPUID1_ECX_TSC_DEADLINE | CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE |
				   CPUID1_ECX_AVX);
			r.ecx |= CPUID1_ECX_HYPERVISOR;
			r.edx &= ~CPUID1_EDX_APIC;
			r.ebx = (r.ebx & 0x00FFFFFFu) | (v->id << 24); /* initial APIC id */
			break;
		case 7:
			if (subleaf == 0)
				r.ebx &= ~(CPUID7_EBX_AVX2 | CPUID7_EBX_AVX512F |
					   (backend_caps.guest_invpcid ? 0 : CPUID7_EBX_INVPCID));
			break;
		case CPUID_XSAVE_LEAF:
		case CPUID_SVM_LEAF:
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case 0x80000001u:
			r.ecx &= ~CPUID80000001_ECX_SVM;
			if (!backend_caps.guest_rdtscp)
				r.edx &= ~CPUID80000001_EDX_RDTSCP;
			break;
		default:
			break;
		}
	}
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	vcpu_skip_insn(v, e);
}
