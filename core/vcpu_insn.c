/*
 * The guest's current instruction: fetching it through the guest's own
 * paging, decoding it (core/x86_decode.c), and moving RIP past it. Used when
 * the CPU does not report the next RIP (no NRIP save) and for emulating
 * accesses to unbacked guest-physical memory.
 */
#define LOG_TAG "vcpu"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/exit.h>
#include <plinth/guest_walk.h>
#include <plinth/log.h>
#include <plinth/x86/cpuinfo.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86_decode.h>

#define CR0_PE_BIT (1ULL << 0)
#define EFER_LMA_BIT (1ULL << 10)
#define MAX_INSN_BYTES 15

static int read_guest_u64(void *ctx, uint64_t gpa, uint64_t *value)
{
	return guest_read(ctx, gpa, value, sizeof(*value));
}

static void paging_state(struct vcpu *v, struct guest_paging *p)
{
	/* The guest's CPUID shows the host's address width and page sizes. */
	p->maxphyaddr = boot_cpu()->phys_addr_bits;
	p->no_1g_pages = !boot_cpu()->page_1g;
	p->cr0 = backend->creg_read(v, VCPU_CR0);
	p->cr3 = backend->creg_read(v, VCPU_CR3);
	p->cr4 = backend->creg_read(v, VCPU_CR4);
	p->efer = backend->creg_read(v, VCPU_EFER);
}

static bool guest_is_user(struct vcpu *v)
{
	struct segment ss;

	backend->seg_read(v, SEG_SS, &ss);
	return ((ss.attr >> 5) & 3) == 3;
}

static int translate(struct vcpu *v, uint64_t linear, unsigned access, uint64_t *gpa)
{
	struct guest_paging p;
	uint32_t pf_error = 0;

	paging_state(v, &p);
	if (guest_is_user(v))
		access |= GUEST_ACCESS_USER;
	int err = guest_virt_to_phys(&p, linear, access, read_guest_u64, v->guest, gpa, &pf_error);
	if (err == -E_FAULT) {
		backend->creg_write(v, VCPU_CR2, linear);
		vcpu_inject_exception(v, X86_EXC_PF, true, pf_error);
	} else if (err) {
		/* Non-canonical address, or paging structures outside RAM. */
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	}
	return err ? -E_FAULT : 0;
}

int vcpu_linear_to_gpa(struct vcpu *v, uint64_t linear, bool write, uint64_t *gpa)
{
	return translate(v, linear, write ? STAGE2_WRITE : STAGE2_READ, gpa);
}

static enum x86_cpu_mode cpu_mode(struct vcpu *v, struct segment *cs)
{
	backend->seg_read(v, SEG_CS, cs);
	if (!(backend->creg_read(v, VCPU_CR0) & CR0_PE_BIT))
		return X86_MODE_REAL;
	if ((backend->creg_read(v, VCPU_EFER) & EFER_LMA_BIT) && (cs->attr & SEG_ATTR_L))
		return X86_MODE_LONG64;
	return (cs->attr & SEG_ATTR_DB) ? X86_MODE_PROT32 : X86_MODE_PROT16;
}

int vcpu_decode_insn(struct vcpu *v, struct x86_insn *out)
{
	uint8_t bytes[MAX_INSN_BYTES];
	struct segment cs;
	enum x86_cpu_mode mode = cpu_mode(v, &cs);
	uint64_t linear = (mode == X86_MODE_LONG64 ? 0 : cs.base) + v->regs.rip;
	size_t have = 0;

	/* Fetch up to 15 bytes, page by page: an instruction may cross a page. */
	while (have < sizeof(bytes)) {
		uint64_t gpa;
		size_t in_page = PAGE_SIZE - ((linear + have) & (PAGE_SIZE - 1));
		size_t chunk = MIN(sizeof(bytes) - have, in_page);
		if (translate(v, linear + have, STAGE2_EXEC, &gpa) != 0)
			return -E_FAULT;
		if (guest_read(v->guest, gpa, bytes + have, chunk) != 0)
			break; /* fetch from outside RAM: decode what we have */
		have += chunk;
	}
	return x86_decode(bytes, have, mode, out);
}

bool vcpu_skip_insn(struct vcpu *v, const struct vm_exit *e)
{
	struct x86_insn in;

	if (e->next_rip) {
		v->regs.rip = e->next_rip;
		return true;
	}
	int err = vcpu_decode_insn(v, &in);
	if (err == -E_FAULT)
		return false; /* #PF injected: the guest sees its own fault */
	if (err) {
		guest_crash(v->guest, "cannot decode the instruction at RIP %#llx after a %s exit (%s)",
			   (unsigned long long)v->regs.rip, vm_exit_reason_name(e->reason), err_name(err));
		return false;
	}
	v->regs.rip += in.length;
	return true;
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error_code, uint32_t error_code)
{
	struct vcpu_event ev = { EVENT_EXCEPTION, vector, has_error_code, error_code };

	if (backend->inject(v, &ev) != 0)
		guest_crash(v->guest, "could not deliver exception %u while another event was pending",
			   vector);
}

void vcpu_log_state(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;
	struct segment cs;

	backend->seg_read(v, SEG_CS, &cs);
	log_info("  rip 0x%016llx rsp 0x%016llx rflags %#llx cs %#x (attr %#x)",
		 (unsigned long long)r->rip, (unsigned long long)r->rsp,
		 (unsigned long long)r->rflags, cs.selector, cs.attr);
	log_info("  rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx",
		 (unsigned long long)r->rax, (unsigned long long)r->rbx,
		 (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	log_info("  rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8 0x%016llx",
		 (unsigned long long)r->rsi, (unsigned long long)r->rdi,
		 (unsigned long long)r->rbp, (unsigned long long)r->r8);
	log_info("  cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx",
		 (unsigned long long)backend->creg_read(v, VCPU_CR0),
		 (unsigned long long)backend->creg_read(v, VCPU_CR2),
		 (unsigned long long)backend->creg_read(v, VCPU_CR3),
		 (unsigned long long)backend->creg_read(v, VCPU_CR4),
		 (unsigned long long)backend->creg_read(v, VCPU_EFER));
}
