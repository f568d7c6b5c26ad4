/*
 * x86 instruction decoder: prefixes, ModRM/SIB addressing and the opcodes
 * in enum x86_op_kind (see include/plinth/x86_decode.h for the contract).
 * Names and register helpers are in x86_decode_names.c.
 *
 * The rule throughout: when a form is rare and its meaning is not certain
 * on every CPU, refuse it (-E_NOTSUP) rather than decode it.
 */
#include <plinth/errno.h>
#include <plinth/vcpu.h>
#include <plinth/x86_decode.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

#define REX_B 0x1
#define REX_X 0x2
#define REX_R 0x4
#define REX_W 0x8

struct decoder {
	const uint8_t *bytes;
	size_t end;           /* min(avail, 15): reading past it is -E_INVAL */
	size_t pos;
	bool long64;
	uint8_t rex;          /* the REX byte in effect, 0 for none */
	bool opsize_prefix;   /* 66 */
	bool addrsize_prefix; /* 67 */
	bool lock, f2, f3;
	int segment;          /* last segment override, -1 for none */
	bool segment_conflict;
	uint8_t opsize, addr_size;
	uint8_t modrm;
};

static uint64_t truncate_to(uint64_t v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

static int64_t sign_extend(uint64_t v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return (int64_t)(v << shift) >> shift;
}

/* Little-endian `n` bytes; running out (or past 15 bytes) is -E_INVAL. */
static int fetch(struct decoder *d, unsigned n, uint64_t *value)
{
	uint64_t v = 0;

	*value = 0;
	if (d->pos + n > d->end)
		return -E_INVAL;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)d->bytes[d->pos + i] << (8 * i);
	d->pos += n;
	*value = v;
	return 0;
}

static int segment_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: return SEG_ES;
	case 0x2E: return SEG_CS;
	case 0x36: return SEG_SS;
	case 0x3E: return SEG_DS;
	case 0x64: return SEG_FS;
	case 0x65: return SEG_GS;
	default: return -1;
	}
}

/* Legacy prefixes in any order, then REX (64-bit mode) right before the opcode. */
static int read_prefixes(struct decoder *d)
{
	for (;;) {
		uint8_t b;
		int seg;

		if (d->pos >= d->end)
			return -E_INVAL;
		b = d->bytes[d->pos];
		seg = segment_prefix(b);
		if (seg >= 0) {
			if (d->segment >= 0 && d->segment != seg)
				d->segment_conflict = true;
			d->segment = seg;
		} else if (b == 0x66) {
			d->opsize_prefix = true;
		} else if (b == 0x67) {
			d->addrsize_prefix = true;
		} else if (b == 0xF0) {
			d->lock = true;
		} else if (b == 0xF2) {
			d->f2 = true;
		} else if (b == 0xF3) {
			d->f3 = true;
		} else if (d->long64 && (b & 0xF0) == 0x40) {
			d->rex = b; /* a later REX replaces it */
			d->pos++;
			continue;
		} else {
			return 0;
		}
		d->rex = 0; /* a REX followed by a legacy prefix is ignored */
		d->pos++;
	}
}

static int set_sizes(struct decoder *d, enum x86_cpu_mode mode)
{
	switch (mode) {
	case X86_MODE_REAL:
	case X86_MODE_PROT16:
		d->opsize = d->opsize_prefix ? 4 : 2;
		d->addr_size = d->addrsize_prefix ? 4 : 2;
		return 0;
	case X86_MODE_PROT32:
		d->opsize = d->opsize_prefix ? 2 : 4;
		d->addr_size = d->addrsize_prefix ? 2 : 4;
		return 0;
	case X86_MODE_LONG64:
		d->opsize = (d->rex & REX_W) ? 8 : d->opsize_prefix ? 2 : 4;
		d->addr_size = d->addrsize_prefix ? 4 : 8;
		return 0;
	}
	return -E_INVAL;
}

/* In 64-bit mode only FS and GS overrides count; CS/DS/ES/SS are ignored. */
static int effective_segment(const struct decoder *d, int default_segment)
{
	if (d->segment < 0)
		return default_segment;
	if (d->long64 && d->segment != SEG_FS && d->segment != SEG_GS)
		return default_segment;
	return d->segment;
}

static unsigned modrm_mod(const struct decoder *d) { return d->modrm >> 6; }
static unsigned modrm_reg(const struct decoder *d) { return (d->modrm >> 3) & 7; }
static unsigned modrm_rm(const struct decoder *d) { return d->modrm & 7; }

/* 16-bit addressing (SDM vol. 2 table 2-1): [BX+SI], [BX+DI], [BP+SI], ... */
static const int8_t base16[8] = { RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX };
static const int8_t index16[8] = { RSI, RDI, RSI, RDI, -1, -1, -1, -1 };

/* The memory operand of ModRM (mod != 3), SIB and displacement. */
static int decode_modrm_mem(struct decoder *d, struct x86_mem_operand *m)
{
	unsigned mod = modrm_mod(d), rm = modrm_rm(d);
	unsigned disp_size;
	uint64_t v;
	int err;

	m->base = -1;
	m->index = -1;
	m->scale = 0;
	m->rip_relative = false;
	m->addr_size = d->addr_size;

	if (d->addr_size == 2) {
		if (mod == 0 && rm == 6) {
			disp_size = 2; /* [disp16] */
		} else {
			m->base = base16[rm];
			m->index = index16[rm];
			m->scale = m->index >= 0 ? 1 : 0;
			disp_size = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		}
	} else {
		unsigned base = rm;

		disp_size = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			unsigned index;

			if ((err = fetch(d, 1, &v)))
				return err;
			/* index 100 is "none" unless REX.X makes it R12 */
			index = ((v >> 3) & 7) | ((d->rex & REX_X) ? 8 : 0);
			if (index != 4) {
				m->index = (int)index;
				m->scale = (uint8_t)(1u << (v >> 6));
			}
			base = v & 7;
			if (base == 5 && mod == 0) {
				disp_size = 4; /* no base (REX.B does not matter) */
				base = ~0u;
			}
		} else if (rm == 5 && mod == 0) {
			disp_size = 4; /* [disp32], RIP-relative in 64-bit mode */
			m->rip_relative = d->long64;
			base = ~0u;
		}
		if (base != ~0u)
			m->base = (int)(base | ((d->rex & REX_B) ? 8 : 0));
	}

	if ((err = fetch(d, disp_size, &v)))
		return err;
	m->disp = disp_size ? sign_extend(v, disp_size) : 0;
	m->segment = effective_segment(d, m->base == RBP || m->base == RSP ?
					       SEG_SS : SEG_DS);
	return 0;
}

static int fetch_modrm(struct decoder *d)
{
	uint64_t v;
	int err = fetch(d, 1, &v);

	d->modrm = (uint8_t)v;
	return err;
}

/* ModRM that must name memory: register forms never touch MMIO. */
static int modrm_memory_operand(struct decoder *d, struct x86_insn *out)
{
	int err = fetch_modrm(d);

	if (err)
		return err;
	if (modrm_mod(d) == 3)
		return -E_NOTSUP;
	out->has_mem = true;
	return decode_modrm_mem(d, &out->mem);
}

/* A GPR operand; without REX, byte registers 4..7 are AH, CH, DH, BH. */
static void set_reg(const struct decoder *d, struct x86_insn *out,
		    unsigned num, unsigned size)
{
	out->reg = (int)num;
	out->reg_size = (uint8_t)size;
	if (size == 1 && !d->rex && num >= 4 && num < 8) {
		out->reg = (int)num - 4;
		out->reg_high8 = true;
	}
}

static unsigned reg_field(const struct decoder *d)
{
	return modrm_reg(d) | ((d->rex & REX_R) ? 8 : 0);
}

/* An immediate of `bytes`, sign-extended to the operand and truncated to it. */
static int fetch_imm(struct decoder *d, struct x86_insn *out, unsigned bytes)
{
	uint64_t v;
	int err = fetch(d, bytes, &v);

	if (err)
		return err;
	out->has_imm = true;
	out->imm = truncate_to((uint64_t)sign_extend(v, bytes), out->access_size);
	return 0;
}

/* "iz": 16 bits with a 16-bit operand, else 32 (sign-extended for 64). */
static unsigned imm_z(const struct decoder *d)
{
	return d->opsize == 2 ? 2 : 4;
}

/* r/m and reg forms: MOV 88-8B, ALU 08-0B/20-23/30-33/38-3B, TEST 84/85. */
static int decode_rm_reg(struct decoder *d, struct x86_insn *out,
			 enum x86_op_kind op, bool byte, bool mem_first)
{
	unsigned size = byte ? 1 : d->opsize;
	int err = modrm_memory_operand(d, out);

	if (err)
		return err;
	out->op = op;
	out->access_size = (uint8_t)size;
	out->mem_first = mem_first;
	set_reg(d, out, reg_field(d), size);
	return 0;
}

/* r/m, imm: group 1 (80, 81, 83), C6/C7 /0, F6/F7 /0. */
static int decode_rm_imm(struct decoder *d, struct x86_insn *out,
			 uint8_t opcode)
{
	static const enum x86_op_kind group1[8] = {
		[1] = X86_OP_OR, [4] = X86_OP_AND, [6] = X86_OP_XOR, [7] = X86_OP_CMP,
	};
	bool byte = !(opcode & 1);
	unsigned imm_size = byte || opcode == 0x83 ? 1 : imm_z(d);
	int err = modrm_memory_operand(d, out);

	if (err)
		return err;
	if (opcode >= 0x80 && opcode <= 0x83)
		out->op = group1[modrm_reg(d)];
	else if (modrm_reg(d) == 0) /* C6/C7 /0; F6/F7 /1 is an undocumented alias */
		out->op = opcode >= 0xF6 ? X86_OP_TEST : X86_OP_MOV_STORE;
	if (out->op == X86_OP_NONE)
		return -E_NOTSUP;
	out->access_size = (uint8_t)(byte ? 1 : d->opsize);
	out->mem_first = true;
	return fetch_imm(d, out, imm_size);
}

/* A0-A3: AL/rAX and a bare offset of the address size. */
static int decode_moffs(struct decoder *d, struct x86_insn *out, uint8_t opcode)
{
	unsigned size = (opcode & 1) ? d->opsize : 1;
	uint64_t v;
	int err = fetch(d, d->addr_size, &v);

	if (err)
		return err;
	out->op = (opcode & 2) ? X86_OP_MOV_STORE : X86_OP_MOV_LOAD;
	out->mem_first = (opcode & 2) != 0;
	out->has_mem = true;
	out->mem = (struct x86_mem_operand){
		.base = -1, .index = -1, .disp = sign_extend(v, d->addr_size),
		.addr_size = d->addr_size, .segment = effective_segment(d, SEG_DS),
	};
	out->access_size = (uint8_t)size;
	set_reg(d, out, RAX, size);
	return 0;
}

/* MOVS, STOS, LODS, INS, OUTS: rSI side overridable, rDI side always ES. */
static int decode_string(struct decoder *d, struct x86_insn *out,
			 enum x86_op_kind op, unsigned size)
{
	bool reads_rsi = op == X86_OP_MOVS || op == X86_OP_LODS ||
			 op == X86_OP_OUTS;

	if (d->f2)
		return -E_NOTSUP; /* REPNE on these is undefined */
	out->op = op;
	out->rep = d->f3;
	out->has_mem = true;
	out->mem = (struct x86_mem_operand){
		.base = reads_rsi ? RSI : RDI, .index = -1,
		.addr_size = d->addr_size,
		.segment = reads_rsi ? effective_segment(d, SEG_DS) : SEG_ES,
	};
	out->access_size = (uint8_t)size;
	if (op == X86_OP_STOS || op == X86_OP_LODS)
		set_reg(d, out, RAX, size);
	return 0;
}

/* IN/OUT with an imm8 port (E4-E7) or DX (EC-EF); data in AL/AX/EAX. */
static int decode_port_io(struct decoder *d, struct x86_insn *out,
			  uint8_t opcode)
{
	unsigned size = (opcode & 1) ? MIN(d->opsize, 4u) : 1;
	uint64_t port;
	int err;

	out->op = (opcode & 2) ? X86_OP_OUT : X86_OP_IN;
	out->access_size = (uint8_t)size;
	set_reg(d, out, RAX, size);
	if (opcode < 0xEC) {
		if ((err = fetch(d, 1, &port)))
			return err;
		out->has_imm = true;
		out->imm = port; /* zero-extended, unlike ALU immediates */
	}
	return 0;
}

/* 0F 20 / 0F 22: the CPU ignores mod and always takes a GPR. */
static int decode_mov_cr(struct decoder *d, struct x86_insn *out, uint8_t opcode)
{
	unsigned size = d->long64 ? 8 : 4;
	int err = fetch_modrm(d);

	if (err)
		return err;
	if (d->lock)
		return -E_NOTSUP; /* AMD's CR8 alias outside 64-bit mode */
	out->op = opcode == 0x20 ? X86_OP_MOV_FROM_CR : X86_OP_MOV_TO_CR;
	out->cr = (uint8_t)reg_field(d);
	if (out->cr != 0 && out->cr != 2 && out->cr != 3 && out->cr != 4 &&
	    out->cr != 8)
		return -E_INVAL;
	out->access_size = (uint8_t)size;
	set_reg(d, out, modrm_rm(d) | ((d->rex & REX_B) ? 8 : 0), size);
	return 0;
}

/* 0F 01 with mod = 3: a few system instructions named by the whole ModRM. */
static int decode_0f01(struct decoder *d, struct x86_insn *out)
{
	int err = fetch_modrm(d);

	if (err)
		return err;
	switch (d->modrm) {
	case 0xC1: out->op = X86_OP_VMCALL; return 0;
	case 0xD1: out->op = X86_OP_XSETBV; return 0;
	case 0xD9: out->op = X86_OP_VMMCALL; return 0;
	case 0xF9: out->op = X86_OP_RDTSCP; return 0;
	default: return -E_NOTSUP;
	}
}

static int decode_0f(struct decoder *d, struct x86_insn *out)
{
	uint64_t opcode;
	int err = fetch(d, 1, &opcode);

	if (err)
		return err;
	/* F2/F3 (and 66 outside MOVZX/MOVSX) select other instructions in this map. */
	if (d->f2 || d->f3)
		return -E_NOTSUP;
	switch (opcode) {
	case 0xB6: case 0xB7: case 0xBE: case 0xBF:
		if ((err = modrm_memory_operand(d, out)))
			return err;
		out->op = opcode < 0xB8 ? X86_OP_MOVZX : X86_OP_MOVSX;
		out->access_size = (opcode & 1) ? 2 : 1;
		set_reg(d, out, reg_field(d), d->opsize);
		return 0;
	default:
		break;
	}
	if (d->opsize_prefix)
		return -E_NOTSUP;
	switch (opcode) {
	case 0x01: return decode_0f01(d, out);
	case 0x08: out->op = X86_OP_INVD; return 0;
	case 0x09: out->op = X86_OP_WBINVD; return 0;
	case 0x20: case 0x22: return decode_mov_cr(d, out, (uint8_t)opcode);
	case 0x30: out->op = X86_OP_WRMSR; return 0;
	case 0x31: out->op = X86_OP_RDTSC; return 0;
	case 0x32: out->op = X86_OP_RDMSR; return 0;
	case 0xA2: out->op = X86_OP_CPUID; return 0;
	default: return -E_NOTSUP;
	}
}

static int decode_opcode(struct decoder *d, struct x86_insn *out)
{
	uint64_t v;
	uint8_t opcode;
	int err = fetch(d, 1, &v);

	if (err)
		return err;
	opcode = (uint8_t)v;
	switch (opcode) {
	case 0x08: case 0x09: case 0x0A: case 0x0B:
		return decode_rm_reg(d, out, X86_OP_OR, !(opcode & 1), !(opcode & 2));
	case 0x20: case 0x21: case 0x22: case 0x23:
		return decode_rm_reg(d, out, X86_OP_AND, !(opcode & 1), !(opcode & 2));
	case 0x30: case 0x31: case 0x32: case 0x33:
		return decode_rm_reg(d, out, X86_OP_XOR, !(opcode & 1), !(opcode & 2));
	case 0x38: case 0x39: case 0x3A: case 0x3B:
		return decode_rm_reg(d, out, X86_OP_CMP, !(opcode & 1), !(opcode & 2));
	case 0x84: case 0x85:
		return decode_rm_reg(d, out, X86_OP_TEST, !(opcode & 1), true);
	case 0x88: case 0x89:
		return decode_rm_reg(d, out, X86_OP_MOV_STORE, !(opcode & 1), true);
	case 0x8A: case 0x8B:
		return decode_rm_reg(d, out, X86_OP_MOV_LOAD, !(opcode & 1), false);
	case 0x63: /* MOVSXD; ARPL outside 64-bit mode */
		if (!d->long64 || d->opsize == 2)
			return -E_NOTSUP; /* r16, r/m16 per Intel, r/m32 per others */
		if ((err = decode_rm_reg(d, out, X86_OP_MOVSX, false, false)))
			return err;
		out->access_size = (uint8_t)MIN(d->opsize, 4u);
		return 0;
	case 0x80: case 0x81: case 0x83:
	case 0xC6: case 0xC7: case 0xF6: case 0xF7:
		return decode_rm_imm(d, out, opcode);
	case 0xA0: case 0xA1: case 0xA2: case 0xA3:
		return decode_moffs(d, out, opcode);
	case 0xA4: case 0xA5:
		return decode_string(d, out, X86_OP_MOVS, (opcode & 1) ? d->opsize : 1);
	case 0xAA: case 0xAB:
		return decode_string(d, out, X86_OP_STOS, (opcode & 1) ? d->opsize : 1);
	case 0xAC: case 0xAD:
		return decode_string(d, out, X86_OP_LODS, (opcode & 1) ? d->opsize : 1);
	case 0x6C: case 0x6D: /* port I/O is at most 32 bits wide */
		return decode_string(d, out, X86_OP_INS, (opcode & 1) ? MIN(d->opsize, 4u) : 1);
	case 0x6E: case 0x6F:
		return decode_string(d, out, X86_OP_OUTS, (opcode & 1) ? MIN(d->opsize, 4u) : 1);
	case 0xE4: case 0xE5: case 0xE6: case 0xE7:
	case 0xEC: case 0xED: case 0xEE: case 0xEF:
		return decode_port_io(d, out, opcode);
	case 0xF4:
		out->op = X86_OP_HLT;
		return 0;
	case 0x0F:
		return decode_0f(d, out);
	default:
		return -E_NOTSUP;
	}
}

/* LOCK is allowed only on read-modify-write forms with a memory destination. */
static bool lock_allowed(const struct x86_insn *insn)
{
	return insn->mem_first && (insn->op == X86_OP_AND ||
				   insn->op == X86_OP_OR ||
				   insn->op == X86_OP_XOR);
}

static bool writes_memory(const struct x86_insn *insn)
{
	enum x86_op_kind op = insn->op;

	if (op == X86_OP_AND || op == X86_OP_OR || op == X86_OP_XOR)
		return insn->mem_first;
	return op == X86_OP_MOV_STORE || op == X86_OP_MOVS ||
	       op == X86_OP_STOS || op == X86_OP_INS;
}

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_cpu_mode mode,
	       struct x86_insn *out)
{
	struct decoder d = {
		.bytes = bytes,
		.end = MIN(avail, (size_t)X86_MAX_INSN_LEN),
		.long64 = mode == X86_MODE_LONG64,
		.segment = -1,
	};
	int err;

	*out = (struct x86_insn){ .reg = -1 };
	if ((err = read_prefixes(&d)) || (err = set_sizes(&d, mode)) ||
	    (err = decode_opcode(&d, out)))
		return err;
	if (d.lock && !lock_allowed(out))
		return -E_INVAL; /* #UD */
	if (d.segment_conflict)
		return -E_NOTSUP; /* CPUs disagree on which one wins */
	out->lock = d.lock;
	out->is_write = writes_memory(out);
	out->length = (uint8_t)d.pos;
	return 0;
}
