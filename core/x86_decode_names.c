/*
 * Helpers around struct x86_insn: register access by x86 number (struct
 * vcpu_regs keeps another order), effective addresses and names for logs.
 */
#include <plinth/vcpu.h>
#include <plinth/x86_decode.h>

/* Offsets of the GPRs in x86 encoding order. */
static const uint8_t gpr_offset[16] = {
	offsetof(struct vcpu_regs, rax), offsetof(struct vcpu_regs, rcx),
	offsetof(struct vcpu_regs, rdx), offsetof(struct vcpu_regs, rbx),
	offsetof(struct vcpu_regs, rsp), offsetof(struct vcpu_regs, rbp),
	offsetof(struct vcpu_regs, rsi), offsetof(struct vcpu_regs, rdi),
	offsetof(struct vcpu_regs, r8), offsetof(struct vcpu_regs, r9),
	offsetof(struct vcpu_regs, r10), offsetof(struct vcpu_regs, r11),
	offsetof(struct vcpu_regs, r12), offsetof(struct vcpu_regs, r13),
	offsetof(struct vcpu_regs, r14), offsetof(struct vcpu_regs, r15),
};

uint64_t *x86_gpr_ref(struct vcpu_regs *regs, int reg)
{
	if (reg < 0 || reg > 15)
		return NULL;
	return (uint64_t *)((char *)regs + gpr_offset[reg]);
}

static uint64_t gpr_value(const struct vcpu_regs *regs, int reg)
{
	if (reg < 0 || reg > 15)
		return 0;
	return *(const uint64_t *)((const char *)regs + gpr_offset[reg]);
}

uint64_t x86_effective_address(const struct x86_insn *insn,
			       const struct vcpu_regs *regs)
{
	const struct x86_mem_operand *m = &insn->mem;
	uint64_t ea = (uint64_t)m->disp;

	if (m->rip_relative)
		ea += regs->rip + insn->length;
	if (m->base >= 0)
		ea += gpr_value(regs, m->base);
	if (m->index >= 0)
		ea += gpr_value(regs, m->index) * m->scale;
	/* Sums wrap at the address size, e.g. [BX+SI] at 64 KiB. */
	return m->addr_size >= 8 ? ea : ea & ((1ULL << (8 * m->addr_size)) - 1);
}

static const char *const names64[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const names32[16] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const names16[16] = {
	"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const names8[16] = {
	"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const names8_high[4] = { "ah", "ch", "dh", "bh" };

const char *x86_gpr_name(int reg, unsigned size)
{
	if (reg < 0 || reg > 15)
		return "?";
	switch (size) {
	case 1: return names8[reg];
	case 2: return names16[reg];
	case 4: return names32[reg];
	case 8: return names64[reg];
	default: return "?";
	}
}

const char *x86_insn_reg_name(const struct x86_insn *insn)
{
	if (insn->reg_high8)
		return insn->reg >= 0 && insn->reg < 4 ? names8_high[insn->reg] : "?";
	return x86_gpr_name(insn->reg, insn->reg_size);
}

static const char *const op_names[X86_OP_KIND_COUNT] = {
	[X86_OP_NONE] = "none",
	[X86_OP_MOV_STORE] = "mov-store",
	[X86_OP_MOV_LOAD] = "mov-load",
	[X86_OP_MOVZX] = "movzx",
	[X86_OP_MOVSX] = "movsx",
	[X86_OP_AND] = "and",
	[X86_OP_OR] = "or",
	[X86_OP_XOR] = "xor",
	[X86_OP_TEST] = "test",
	[X86_OP_CMP] = "cmp",
	[X86_OP_MOVS] = "movs",
	[X86_OP_STOS] = "stos",
	[X86_OP_LODS] = "lods",
	[X86_OP_INS] = "ins",
	[X86_OP_OUTS] = "outs",
	[X86_OP_IN] = "in",
	[X86_OP_OUT] = "out",
	[X86_OP_MOV_FROM_CR] = "mov-from-cr",
	[X86_OP_MOV_TO_CR] = "mov-to-cr",
	[X86_OP_CPUID] = "cpuid",
	[X86_OP_RDMSR] = "rdmsr",
	[X86_OP_WRMSR] = "wrmsr",
	[X86_OP_RDTSC] = "rdtsc",
	[X86_OP_RDTSCP] = "rdtscp",
	[X86_OP_HLT] = "hlt",
	[X86_OP_INVD] = "invd",
	[X86_OP_WBINVD] = "wbinvd",
	[X86_OP_XSETBV] = "xsetbv",
	[X86_OP_VMCALL] = "vmcall",
	[X86_OP_VMMCALL] = "vmmcall",
};

const char *x86_op_name(enum x86_op_kind op)
{
	if ((unsigned)op >= X86_OP_KIND_COUNT || !op_names[op])
		return "?";
	return op_names[op];
}
