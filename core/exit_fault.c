/*
 * Exits that end in a fault or a stop: stage-2 faults outside RAM (emulated
 * as an empty bus), intercepted exceptions (reflected), virtualization
 * instructions (#UD), HLT, triple faults and refused guest state.
 */
#define LOG_TAG "exit"
#include <plinth/backend.h>
#include <plinth/errno.h>
#include <plinth/exit.h>
#include <plinth/log.h>
#include <plinth/mmio_bus.h>
#include <plinth/string.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86_decode.h>

#define RFLAGS_IF (1ULL << 9)

static uint64_t access_mask(uint8_t size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* What a store writes: its register (AH..BH included) or its immediate. */
static uint64_t store_value(struct vcpu *v, const struct x86_insn *in)
{
	uint64_t value = in->has_imm ? in->imm : *x86_gpr_ref(&v->regs, in->reg);

	if (!in->has_imm && in->reg_high8)
		value >>= 8;
	return value & access_mask(in->access_size);
}

/* Complete a load of `value` (access_size bytes) into the destination register. */
static void load_value(struct vcpu *v, const struct x86_insn *in, uint64_t value)
{
	uint64_t *dst = x86_gpr_ref(&v->regs, in->reg);
	unsigned bits = in->access_size * 8u;

	value &= access_mask(in->access_size);
	if (in->op == X86_OP_MOVSX && bits < 64 && (value >> (bits - 1)) & 1)
		value |= ~access_mask(in->access_size); /* sign-extend */
	if (in->reg_high8) {
		*dst = (*dst & ~0xFF00ULL) | ((value & 0xFF) << 8);
		return;
	}
	switch (in->reg_size) {
	case 1:
		*dst = (*dst & ~0xFFULL) | (value & 0xFF);
		break;
	case 2:
		*dst = (*dst & ~0xFFFFULL) | (value & 0xFFFF);
		break;
	case 4:
		*dst = value & 0xFFFFFFFFULL; /* 32-bit writes zero-extend */
		break;
	default:
		*dst = value;
		break;
	}
}

/* Plain moves complete on the bus; anything reading flags or memory twice does not. */
static bool emulable_on_empty_bus(const struct x86_insn *in)
{
	bool load = in->op == X86_OP_MOV_LOAD || in->op == X86_OP_MOVZX || in->op == X86_OP_MOVSX;

	return (load && in->reg >= 0) || in->op == X86_OP_MOV_STORE;
}

/*
 * Nothing is mapped there (not RAM): decode the instruction and complete it
 * on the MMIO bus, where a device may claim the address and an unclaimed one
 * reads all-ones and drops writes. What cannot be emulated stops the guest:
 * guessing would corrupt it.
 */
void handle_stage2_fault(struct vcpu *v, const struct vm_exit *e)
{
	struct guest *g = v->guest;
	struct x86_insn in;
	int err;

	if (e->stage2.misconfig) {
		guest_crash(g, "stage-2 misconfiguration at GPA %#llx (a hypervisor bug)",
			   (unsigned long long)e->stage2.gpa);
		return;
	}
	if (guest_ram_ptr(g, e->stage2.gpa, 1)) {
		/* RAM is always mapped RWX: a fault here means the tables are wrong. */
		guest_crash(g, "stage-2 fault on RAM at GPA %#llx", (unsigned long long)e->stage2.gpa);
		return;
	}
	err = vcpu_decode_insn(v, &in);
	if (err == -E_FAULT)
		return; /* the fetch faulted in the guest's paging: #PF injected */
	if (err || !emulable_on_empty_bus(&in)) {
		guest_crash(g, "access to unbacked GPA %#llx by an instruction Plinth cannot emulate (%s) at RIP %#llx",
			   (unsigned long long)e->stage2.gpa, err ? err_name(err) : x86_op_name(in.op),
			   (unsigned long long)v->regs.rip);
		vcpu_log_state(v);
		return;
	}
	uint64_t value = in.is_write ? store_value(v, &in) : ~0ULL;
	if (!mmio_bus_access(g, e->stage2.gpa, in.access_size, in.is_write, &value) &&
	    g->io_log_budget) {
		g->io_log_budget--;
		log_info("%s: %u-byte %s GPA %#llx (no RAM or device): %s", g->name, in.access_size,
			 in.is_write ? "write to" : "read from", (unsigned long long)e->stage2.gpa,
			 in.is_write ? "dropped" : "all-ones");
	}
	if (!in.is_write)
		load_value(v, &in, value);
	v->regs.rip += in.length;
}

/* #DB and #AC are intercepted only so a guest cannot loop on them forever; give them back. */
void handle_exception(struct vcpu *v, const struct vm_exit *e)
{
	vcpu_inject_exception(v, e->exception.vector, e->exception.has_error_code,
			      e->exception.error_code);
}

void handle_virt_insn(struct vcpu *v, const struct vm_exit *e)
{
	log_info("%s: %s at RIP %#llx: #UD (no nested virtualization)", v->guest->name,
		 e->virt_insn.name ? e->virt_insn.name : "virtualization instruction",
		 (unsigned long long)v->regs.rip);
	vcpu_inject_exception(v, X86_EXC_UD, false, 0);
}

void handle_hlt(struct vcpu *v, const struct vm_exit *e)
{
	if (!vcpu_skip_insn(v, e))
		return;
	if (!(v->regs.rflags & RFLAGS_IF)) {
		/* Nothing can ever wake it (no NMI sources): the guest has powered off. */
		guest_stop(v->guest, 0, "halted with interrupts disabled");
		return;
	}
	v->state = VCPU_HALTED;
}

void handle_shutdown(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	guest_crash(v->guest, "triple fault (shutdown) at RIP %#llx", (unsigned long long)v->regs.rip);
	vcpu_log_state(v);
}

void handle_invalid_state(struct vcpu *v, const struct vm_exit *e)
{
	guest_crash(v->guest, "the CPU refused the guest state: %s (info %#llx %#llx)",
		   e->invalid.why ? e->invalid.why : "no reason given",
		   (unsigned long long)e->invalid.info1, (unsigned long long)e->invalid.info2);
	vcpu_log_state(v);
}

void handle_unknown(struct vcpu *v, const struct vm_exit *e)
{
	guest_crash(v->guest, "unhandled exit (vendor code %#llx)", (unsigned long long)e->vendor_code);
	vcpu_log_state(v);
}
