/*
 * A small x86 instruction decoder for the exits that need one: MMIO accesses
 * (a stage-2 fault says which address, not which instruction) and, on CPUs
 * without next-RIP reporting or decode assists (QEMU TCG's SVM has neither),
 * the length and register operands of intercepted instructions.
 *
 * It decodes only the forms listed in enum x86_op_kind and refuses
 * (-E_NOTSUP) everything else, including register-only forms of the memory
 * instructions (they never fault on MMIO) and prefix combinations whose
 * meaning differs between CPUs; it never guesses. References: Intel SDM
 * vol. 2, ch. 2 (instruction format) and appendix A (opcode maps).
 */
#ifndef PLINTH_X86_DECODE_H
#define PLINTH_X86_DECODE_H

#include <plinth/types.h>

struct vcpu_regs;

#define X86_MAX_INSN_LEN 15 /* longer is #GP on every CPU */

/* The code segment's default size: CS.D in protected mode, CS.L in long mode. */
enum x86_cpu_mode {
	X86_MODE_REAL,   /* real and virtual-8086 mode: 16-bit */
	X86_MODE_PROT16, /* protected or compatibility mode, CS.D = 0 */
	X86_MODE_PROT32, /* protected or compatibility mode, CS.D = 1 */
	X86_MODE_LONG64, /* 64-bit mode: EFER.LMA and CS.L */
};

enum x86_op_kind {
	X86_OP_NONE = 0,
	/* One explicit memory operand (insn.mem) and a register or immediate. */
	X86_OP_MOV_STORE, /* mem = reg or imm (88, 89, C6 /0, C7 /0, A2, A3) */
	X86_OP_MOV_LOAD,  /* reg = mem (8A, 8B, A0, A1) */
	X86_OP_MOVZX,     /* reg = zero-extended mem (0F B6, 0F B7) */
	X86_OP_MOVSX,     /* reg = sign-extended mem (0F BE, 0F BF, 63 MOVSXD) */
	X86_OP_AND,       /* first = first & second, flags (20-23, 80/81/83 /4) */
	X86_OP_OR,        /* first = first | second, flags (08-0B, 80/81/83 /1) */
	X86_OP_XOR,       /* first = first ^ second, flags (30-33, 80/81/83 /6) */
	X86_OP_TEST,      /* flags of mem & second (84, 85, F6 /0, F7 /0) */
	X86_OP_CMP,       /* flags of first - second (38-3B, 80/81/83 /7) */
	/* String instructions: implicit rSI / rDI operands, see insn.mem. */
	X86_OP_MOVS,      /* ES:[rDI] = seg:[rSI] (A4, A5) */
	X86_OP_STOS,      /* ES:[rDI] = rAX (AA, AB) */
	X86_OP_LODS,      /* rAX = seg:[rSI] (AC, AD) */
	X86_OP_INS,       /* ES:[rDI] = port DX (6C, 6D) */
	X86_OP_OUTS,      /* port DX = seg:[rSI] (6E, 6F) */
	/* Port I/O: port in imm when has_imm, else in DX; data in rAX. */
	X86_OP_IN,        /* E4, E5, EC, ED */
	X86_OP_OUT,       /* E6, E7, EE, EF */
	/* Control-register moves: insn.cr and the GPR insn.reg (0F 20, 0F 22). */
	X86_OP_MOV_FROM_CR,
	X86_OP_MOV_TO_CR,
	/* No operands worth reporting: decoded for their length. */
	X86_OP_CPUID,     /* 0F A2 */
	X86_OP_RDMSR,     /* 0F 32 */
	X86_OP_WRMSR,     /* 0F 30 */
	X86_OP_RDTSC,     /* 0F 31 */
	X86_OP_RDTSCP,    /* 0F 01 F9 */
	X86_OP_HLT,       /* F4 */
	X86_OP_INVD,      /* 0F 08 */
	X86_OP_WBINVD,    /* 0F 09 */
	X86_OP_XSETBV,    /* 0F 01 D1 */
	X86_OP_VMCALL,    /* 0F 01 C1 (Intel) */
	X86_OP_VMMCALL,   /* 0F 01 D9 (AMD) */
	X86_OP_KIND_COUNT
};

/*
 * A memory operand. Its effective address (offset in the segment) is
 * base + index * scale + disp, wrapped to addr_size bytes; with rip_relative
 * the base is the address of the next instruction. The linear address adds
 * the segment base (in 64-bit mode only FS and GS have one).
 */
struct x86_mem_operand {
	int base;          /* GPR number, -1 for none */
	int index;         /* GPR number, -1 for none */
	uint8_t scale;     /* 1, 2, 4, 8 with an index; 0 without */
	int64_t disp;      /* sign-extended (moffs too: wrapping makes it exact) */
	bool rip_relative; /* RIP (or EIP with 67h) of the next instruction */
	uint8_t addr_size; /* 2, 4 or 8 bytes */
	int segment;       /* enum vcpu_seg: SEG_ES .. SEG_GS, override applied */
};

/*
 * A decoded instruction. GPR numbers are the x86 encoding (0 RAX, 1 RCX,
 * 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8..15 R8..R15), not the
 * struct vcpu_regs order: use x86_gpr_ref() to reach a register.
 *
 * Register writes follow the CPU: a 4-byte destination zero-extends into
 * the whole 64-bit register, 1- and 2-byte destinations keep the rest.
 */
struct x86_insn {
	uint8_t length;       /* total bytes, prefixes included */
	enum x86_op_kind op;

	/* Memory access: has_mem for X86_OP_MOV_STORE .. X86_OP_OUTS. */
	bool has_mem;
	struct x86_mem_operand mem; /* string ops: the rSI side for MOVS, LODS,
				     * OUTS (segment overridable), else ES:[rDI];
				     * the MOVS destination is always ES:[rDI] */
	uint8_t access_size;  /* bytes per memory access (per element for string
			       * ops); port I/O width; GPR width for MOV CR */
	bool is_write;        /* memory is written */
	bool mem_first;       /* the memory operand is the first (Intel order):
			       * stores, r/m-destination ALU forms, TEST, CMP r/m,x */

	/* Register operand, -1 for none (immediate forms, MOVS, INS, OUTS). */
	int reg;
	bool reg_high8;       /* AH, CH, DH, BH: bits 8..15 of reg 0..3 */
	uint8_t reg_size;     /* register width: loads, MOVZX/MOVSX extend into it */

	bool has_imm;
	uint64_t imm;         /* sign-extended as the CPU does, then truncated to
			       * access_size: exactly the bits used; IN/OUT: port */

	uint8_t cr;           /* MOV CR: control register number */
	bool rep;             /* string ops: F3 prefix (F2 is refused) */
	bool lock;            /* F0 prefix (only on lockable forms) */
};

/*
 * Decode the instruction at `bytes` (`avail` bytes readable, at most 15
 * used). 0 on success; -E_NOTSUP for an instruction or form this decoder
 * does not handle; -E_INVAL when the bytes run out before the instruction
 * ends (pass at least X86_MAX_INSN_LEN bytes when they exist), when it would
 * exceed 15 bytes, or when it is an undefined form of a supported opcode
 * (LOCK on a non-lockable form, MOV with a nonexistent CR): #UD or #GP.
 */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_cpu_mode mode,
	       struct x86_insn *out);

/* The effective address of insn->mem; RIP-relative uses regs->rip + length. */
uint64_t x86_effective_address(const struct x86_insn *insn,
			       const struct vcpu_regs *regs);

/* The struct vcpu_regs field of GPR `reg` (0..15); NULL when out of range. */
uint64_t *x86_gpr_ref(struct vcpu_regs *regs, int reg);

/* "eax", "r9w", "spl", ... for GPR `reg` at `size` bytes; "?" when invalid. */
const char *x86_gpr_name(int reg, unsigned size);
/* The name of insn->reg as the instruction uses it (handles AH..BH). */
const char *x86_insn_reg_name(const struct x86_insn *insn);
/* "mov-store", "cpuid", ... for log messages. */
const char *x86_op_name(enum x86_op_kind op);

#endif
