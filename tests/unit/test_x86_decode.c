/*
 * Unit tests for the x86 decoder (core/x86_decode.c): hand-written vectors
 * for every supported form and refusal, then a differential run against
 * Zydis over a generated set (every ModRM, SIB, prefix combination that
 * matters, in each mode) and over seeded random bytes.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include <plinth/errno.h>
#include <plinth/vcpu.h>
#include <plinth/x86_decode.h>

enum { AX, CX, DX, BX, SP, BP, SI, DI, R8, R9, R10, R11, R12, R13, R14, R15 };
#define NO (-1)

static const char *const mode_names[] = { "real", "prot16", "prot32", "long64" };

/* "8b 04 25" -> bytes; returns the count. */
static size_t parse_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*hex) {
		unsigned v;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_true(sscanf(hex, "%2x", &v) == 1);
		assert_true(n < max);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static void format_bytes(char *s, size_t size, const uint8_t *b, size_t n)
{
	size_t used = 0;

	s[0] = 0;
	for (size_t i = 0; i < n && used + 4 < size; i++)
		used += (size_t)snprintf(s + used, size - used, "%02x ", b[i]);
}

/* ---- Hand-written vectors -------------------------------------------------- */

struct vector {
	enum x86_cpu_mode mode;
	const char *hex;
	int err;
	struct x86_insn want;
};

#define L64 X86_MODE_LONG64
#define P32 X86_MODE_PROT32
#define P16 X86_MODE_PROT16
#define RM X86_MODE_REAL
#define LEN(n) .length = (n)
#define SIZE(n) .access_size = (n)
#define STORE .op = X86_OP_MOV_STORE, .is_write = true, .mem_first = true
#define LOAD .op = X86_OP_MOV_LOAD
#define RMW(o) .op = X86_OP_##o, .is_write = true, .mem_first = true
#define WRITES(o) .op = X86_OP_##o, .is_write = true
#define FIRST(o) .op = X86_OP_##o, .mem_first = true
#define OP(o) .op = X86_OP_##o
#define REG(n, sz) .reg = (n), .reg_size = (sz)
#define HIGH8(n) .reg = (n), .reg_high8 = true, .reg_size = 1
#define NOREG .reg = -1
#define IMM(v) .has_imm = true, .imm = (v)
#define MEM(b, i, s, d, seg, as) .has_mem = true, .mem = { .base = (b), \
	.index = (i), .scale = (s), .disp = (d), .segment = SEG_##seg, .addr_size = (as) }
#define RIPREL(d, as) .has_mem = true, .mem = { .base = NO, .index = NO, \
	.disp = (d), .rip_relative = true, .segment = SEG_DS, .addr_size = (as) }
#define ONLY(o, n) { LEN(n), OP(o), NOREG }

static const struct vector vectors[] = {
	/* MOV r/m, reg and reg, r/m: byte registers with and without REX */
	{ L64, "88 08", 0, { LEN(2), STORE, SIZE(1), REG(CX, 1), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "88 20", 0, { LEN(2), STORE, SIZE(1), HIGH8(AX), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "40 88 20", 0, { LEN(3), STORE, SIZE(1), REG(SP, 1), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "44 88 38", 0, { LEN(3), STORE, SIZE(1), REG(R15, 1), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "89 04 24", 0, { LEN(3), STORE, SIZE(4), REG(AX, 4), MEM(SP, NO, 0, 0, SS, 8) } },
	{ L64, "48 89 04 24", 0, { LEN(4), STORE, SIZE(8), REG(AX, 8), MEM(SP, NO, 0, 0, SS, 8) } },
	{ L64, "66 89 04 24", 0, { LEN(4), STORE, SIZE(2), REG(AX, 2), MEM(SP, NO, 0, 0, SS, 8) } },
	/* REX.W beats 66; a REX before a legacy prefix is ignored */
	{ L64, "66 48 89 04 24", 0, { LEN(5), STORE, SIZE(8), REG(AX, 8), MEM(SP, NO, 0, 0, SS, 8) } },
	{ L64, "48 66 89 04 24", 0, { LEN(5), STORE, SIZE(2), REG(AX, 2), MEM(SP, NO, 0, 0, SS, 8) } },
	{ L64, "4c 89 44 24 08", 0, { LEN(5), STORE, SIZE(8), REG(R8, 8), MEM(SP, NO, 0, 8, SS, 8) } },
	{ L64, "8a 60 05", 0, { LEN(3), LOAD, SIZE(1), HIGH8(AX), MEM(AX, NO, 0, 5, DS, 8) } },
	{ L64, "44 8b 0b", 0, { LEN(3), LOAD, SIZE(4), REG(R9, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	/* 64-bit addressing forms */
	{ L64, "8b 05 78 56 34 12", 0, { LEN(6), LOAD, SIZE(4), REG(AX, 4), RIPREL(0x12345678, 8) } },
	{ L64, "67 8b 05 f0 ff ff ff", 0, { LEN(7), LOAD, SIZE(4), REG(AX, 4), RIPREL(-16, 4) } },
	{ L64, "41 8b 05 00 00 00 00", 0, { LEN(7), LOAD, SIZE(4), REG(AX, 4), RIPREL(0, 8) } },
	{ L64, "8b 04 25 00 10 00 00", 0, { LEN(7), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 8) } },
	{ L64, "42 8b 04 25 00 10 00 00", 0, { LEN(8), LOAD, SIZE(4), REG(AX, 4), MEM(NO, R12, 1, 0x1000, DS, 8) } },
	/* SIB base 101 with mod 00 is [disp32] whatever REX.B says (Zydis 4.0 errs with 67) */
	{ L64, "41 8b 04 25 00 10 00 00", 0, { LEN(8), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 8) } },
	{ L64, "67 41 8b 04 25 00 10 00 00", 0, { LEN(9), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 4) } },
	{ L64, "8b 04 65 00 00 00 00", 0, { LEN(7), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0, DS, 8) } },
	{ L64, "41 8b 04 24", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(R12, NO, 0, 0, DS, 8) } },
	{ L64, "43 8b 04 24", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(R12, R12, 1, 0, DS, 8) } },
	{ L64, "41 8b 45 00", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(R13, NO, 0, 0, DS, 8) } },
	{ L64, "8b 44 8d f0", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(BP, CX, 4, -16, SS, 8) } },
	{ L64, "8b 84 c8 00 01 00 00", 0, { LEN(7), LOAD, SIZE(4), REG(AX, 4), MEM(AX, CX, 8, 0x100, DS, 8) } },
	{ L64, "67 8b 44 8d f0", 0, { LEN(5), LOAD, SIZE(4), REG(AX, 4), MEM(BP, CX, 4, -16, SS, 4) } },
	/* segments: FS/GS count in 64-bit mode, the others are ignored */
	{ L64, "64 8b 04 25 28 00 00 00", 0, { LEN(8), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x28, FS, 8) } },
	{ L64, "65 48 8b 04 25 30 00 00 00", 0, { LEN(9), LOAD, SIZE(8), REG(AX, 8), MEM(NO, NO, 0, 0x30, GS, 8) } },
	{ L64, "2e 8b 00", 0, { LEN(3), LOAD, SIZE(4), REG(AX, 4), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "3e 8b 04 24", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(SP, NO, 0, 0, SS, 8) } },
	{ L64, "64 64 8b 00", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(AX, NO, 0, 0, FS, 8) } },
	/* MOV r/m, imm */
	{ L64, "c6 00 ff", 0, { LEN(3), STORE, SIZE(1), NOREG, IMM(0xff), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "c7 00 78 56 34 12", 0, { LEN(6), STORE, SIZE(4), NOREG, IMM(0x12345678), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "48 c7 00 ff ff ff ff", 0, { LEN(7), STORE, SIZE(8), NOREG, IMM(~0ULL), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "66 c7 00 34 12", 0, { LEN(5), STORE, SIZE(2), NOREG, IMM(0x1234), MEM(AX, NO, 0, 0, DS, 8) } },
	{ L64, "c7 80 10 00 00 00 01 00 00 00", 0, { LEN(10), STORE, SIZE(4), NOREG, IMM(1), MEM(AX, NO, 0, 0x10, DS, 8) } },
	{ L64, "f3 c7 00 01 00 00 00", 0, { LEN(7), STORE, SIZE(4), NOREG, IMM(1), MEM(AX, NO, 0, 0, DS, 8) } },
	/* moffs: 64-bit offsets in 64-bit mode, 32-bit with 67 */
	{ L64, "a1 88 77 66 55 44 33 22 11", 0, { LEN(9), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1122334455667788, DS, 8) } },
	{ L64, "48 a3 00 00 00 00 00 00 00 80", 0, { LEN(10), STORE, SIZE(8), REG(AX, 8), MEM(NO, NO, 0, INT64_MIN, DS, 8) } },
	{ L64, "67 a0 44 33 22 11", 0, { LEN(6), LOAD, SIZE(1), REG(AX, 1), MEM(NO, NO, 0, 0x11223344, DS, 4) } },
	{ L64, "65 a2 00 00 e0 fe 00 00 00 00", 0, { LEN(10), STORE, SIZE(1), REG(AX, 1), MEM(NO, NO, 0, 0xfee00000, GS, 8) } },
	/* MOVZX, MOVSX, MOVSXD */
	{ L64, "0f b6 03", 0, { LEN(3), OP(MOVZX), SIZE(1), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "48 0f b7 03", 0, { LEN(4), OP(MOVZX), SIZE(2), REG(AX, 8), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "44 0f b6 0b", 0, { LEN(4), OP(MOVZX), SIZE(1), REG(R9, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "66 0f be 03", 0, { LEN(4), OP(MOVSX), SIZE(1), REG(AX, 2), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "0f bf 03", 0, { LEN(3), OP(MOVSX), SIZE(2), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "48 63 03", 0, { LEN(3), OP(MOVSX), SIZE(4), REG(AX, 8), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "63 03", 0, { LEN(2), OP(MOVSX), SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	/* AND, OR, XOR, CMP, TEST */
	{ L64, "21 03", 0, { LEN(2), RMW(AND), SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "23 03", 0, { LEN(2), OP(AND), SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "f0 21 03", 0, { LEN(3), RMW(AND), .lock = true, SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "0a 0b", 0, { LEN(2), OP(OR), SIZE(1), REG(CX, 1), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "81 0b 00 00 00 80", 0, { LEN(6), RMW(OR), SIZE(4), NOREG, IMM(0x80000000), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "48 83 33 ff", 0, { LEN(4), RMW(XOR), SIZE(8), NOREG, IMM(~0ULL), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "66 83 33 80", 0, { LEN(4), RMW(XOR), SIZE(2), NOREG, IMM(0xff80), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "f0 66 81 33 34 12", 0, { LEN(6), RMW(XOR), .lock = true, SIZE(2), NOREG, IMM(0x1234), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "80 3b 7f", 0, { LEN(3), FIRST(CMP), SIZE(1), NOREG, IMM(0x7f), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "3b 03", 0, { LEN(2), OP(CMP), SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "38 23", 0, { LEN(2), FIRST(CMP), SIZE(1), HIGH8(AX), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "85 03", 0, { LEN(2), FIRST(TEST), SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "f6 03 01", 0, { LEN(3), FIRST(TEST), SIZE(1), NOREG, IMM(1), MEM(BX, NO, 0, 0, DS, 8) } },
	{ L64, "48 f7 03 00 00 00 80", 0, { LEN(7), FIRST(TEST), SIZE(8), NOREG, IMM(0xffffffff80000000), MEM(BX, NO, 0, 0, DS, 8) } },
	/* string instructions */
	{ L64, "f3 a4", 0, { LEN(2), WRITES(MOVS), .rep = true, SIZE(1), NOREG, MEM(SI, NO, 0, 0, DS, 8) } },
	{ L64, "64 a5", 0, { LEN(2), WRITES(MOVS), SIZE(4), NOREG, MEM(SI, NO, 0, 0, FS, 8) } },
	{ L64, "f3 48 ab", 0, { LEN(3), WRITES(STOS), .rep = true, SIZE(8), REG(AX, 8), MEM(DI, NO, 0, 0, ES, 8) } },
	{ L64, "67 f3 aa", 0, { LEN(3), WRITES(STOS), .rep = true, SIZE(1), REG(AX, 1), MEM(DI, NO, 0, 0, ES, 4) } },
	{ L64, "64 aa", 0, { LEN(2), WRITES(STOS), SIZE(1), REG(AX, 1), MEM(DI, NO, 0, 0, ES, 8) } },
	{ L64, "ac", 0, { LEN(1), OP(LODS), SIZE(1), REG(AX, 1), MEM(SI, NO, 0, 0, DS, 8) } },
	{ L64, "f3 6c", 0, { LEN(2), WRITES(INS), .rep = true, SIZE(1), NOREG, MEM(DI, NO, 0, 0, ES, 8) } },
	{ L64, "48 6d", 0, { LEN(2), WRITES(INS), SIZE(4), NOREG, MEM(DI, NO, 0, 0, ES, 8) } },
	{ L64, "66 6f", 0, { LEN(2), OP(OUTS), SIZE(2), NOREG, MEM(SI, NO, 0, 0, DS, 8) } },
	/* port I/O */
	{ L64, "e4 60", 0, { LEN(2), OP(IN), SIZE(1), REG(AX, 1), IMM(0x60) } },
	{ L64, "66 e5 92", 0, { LEN(3), OP(IN), SIZE(2), REG(AX, 2), IMM(0x92) } },
	{ L64, "e6 80", 0, { LEN(2), OP(OUT), SIZE(1), REG(AX, 1), IMM(0x80) } },
	{ L64, "e7 f0", 0, { LEN(2), OP(OUT), SIZE(4), REG(AX, 4), IMM(0xf0) } },
	{ L64, "ec", 0, { LEN(1), OP(IN), SIZE(1), REG(AX, 1) } },
	{ L64, "ef", 0, { LEN(1), OP(OUT), SIZE(4), REG(AX, 4) } },
	{ L64, "48 ed", 0, { LEN(2), OP(IN), SIZE(4), REG(AX, 4) } },
	/* control registers: mod is ignored, REX.R reaches CR8 */
	{ L64, "0f 20 d8", 0, { LEN(3), OP(MOV_FROM_CR), .cr = 3, SIZE(8), REG(AX, 8) } },
	{ L64, "44 0f 22 c0", 0, { LEN(4), OP(MOV_TO_CR), .cr = 8, SIZE(8), REG(AX, 8) } },
	{ L64, "41 0f 20 e7", 0, { LEN(4), OP(MOV_FROM_CR), .cr = 4, SIZE(8), REG(R15, 8) } },
	{ L64, "0f 20 80", 0, { LEN(3), OP(MOV_FROM_CR), .cr = 0, SIZE(8), REG(AX, 8) } },
	/* length only */
	{ L64, "0f a2", 0, ONLY(CPUID, 2) },
	{ L64, "2e 0f a2", 0, ONLY(CPUID, 3) },
	{ L64, "0f 32", 0, ONLY(RDMSR, 2) },
	{ L64, "48 0f 32", 0, ONLY(RDMSR, 3) },
	{ L64, "0f 30", 0, ONLY(WRMSR, 2) },
	{ L64, "0f 31", 0, ONLY(RDTSC, 2) },
	{ L64, "0f 01 f9", 0, ONLY(RDTSCP, 3) },
	{ L64, "f4", 0, ONLY(HLT, 1) },
	{ L64, "66 f4", 0, ONLY(HLT, 2) },
	{ L64, "0f 08", 0, ONLY(INVD, 2) },
	{ L64, "0f 09", 0, ONLY(WBINVD, 2) },
	{ L64, "0f 01 d1", 0, ONLY(XSETBV, 3) },
	{ L64, "0f 01 c1", 0, ONLY(VMCALL, 3) },
	{ L64, "0f 01 d9", 0, ONLY(VMMCALL, 3) },
	/* 15 bytes is the limit */
	{ L64, "26 26 26 48 c7 84 88 01 00 00 00 02 00 00 00", 0,
	  { LEN(15), STORE, SIZE(8), NOREG, IMM(2), MEM(AX, CX, 4, 1, DS, 8) } },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 f4", 0, ONLY(HLT, 15) },
	{ L64, "26 26 26 26 48 c7 84 88 01 00 00 00 02 00 00 00", -E_INVAL, {} },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 f4", -E_INVAL, {} },
	/* undefined: #UD */
	{ L64, "f0 89 00", -E_INVAL, {} },
	{ L64, "f0 85 03", -E_INVAL, {} },
	{ L64, "f0 23 03", -E_INVAL, {} },
	{ L64, "f0 3b 03", -E_INVAL, {} },
	{ L64, "f0 0f a2", -E_INVAL, {} },
	{ L64, "f0 f4", -E_INVAL, {} },
	{ L64, "f0 a4", -E_INVAL, {} },
	{ L64, "0f 22 c8", -E_INVAL, {} },
	{ L64, "0f 20 e8", -E_INVAL, {} },
	{ L64, "44 0f 20 c8", -E_INVAL, {} },
	/* truncated */
	{ L64, "", -E_INVAL, {} },
	{ L64, "66 66", -E_INVAL, {} },
	{ L64, "48", -E_INVAL, {} },
	{ L64, "89", -E_INVAL, {} },
	{ L64, "8b 04", -E_INVAL, {} },
	{ L64, "8b 05 12 34", -E_INVAL, {} },
	{ L64, "c7 00 78 56", -E_INVAL, {} },
	{ L64, "a1 00 00 00 00", -E_INVAL, {} },
	{ L64, "e4", -E_INVAL, {} },
	{ L64, "0f", -E_INVAL, {} },
	{ L64, "0f 01", -E_INVAL, {} },
	/* refused: register forms, other opcodes and group members, ambiguous prefixes */
	{ L64, "89 c0", -E_NOTSUP, {} },
	{ L64, "8b c8", -E_NOTSUP, {} },
	{ L64, "c6 c0 01", -E_NOTSUP, {} },
	{ L64, "c6 08 00", -E_NOTSUP, {} },
	{ L64, "c7 f8 00 00 00 00", -E_NOTSUP, {} },
	{ L64, "f6 08 01", -E_NOTSUP, {} },
	{ L64, "80 00 01", -E_NOTSUP, {} },
	{ L64, "0f b6 c0", -E_NOTSUP, {} },
	{ L64, "90", -E_NOTSUP, {} },
	{ L64, "c4 e2 79 18 00", -E_NOTSUP, {} },
	{ L64, "0f 01 c8", -E_NOTSUP, {} },
	{ L64, "0f 01 08", -E_NOTSUP, {} },
	{ L64, "64 65 89 00", -E_NOTSUP, {} },
	{ L64, "2e 3e 89 00", -E_NOTSUP, {} },
	{ L64, "f2 a4", -E_NOTSUP, {} },
	{ L64, "f3 f2 aa", -E_NOTSUP, {} },
	{ L64, "f3 0f b6 00", -E_NOTSUP, {} },
	{ L64, "66 0f a2", -E_NOTSUP, {} },
	{ L64, "f2 0f 01 d9", -E_NOTSUP, {} },
	{ L64, "f0 0f 20 c0", -E_NOTSUP, {} },
	{ L64, "66 63 03", -E_NOTSUP, {} },

	/* 32-bit protected mode */
	{ P32, "89 04 24", 0, { LEN(3), STORE, SIZE(4), REG(AX, 4), MEM(SP, NO, 0, 0, SS, 4) } },
	{ P32, "8b 05 00 10 00 00", 0, { LEN(6), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 4) } },
	{ P32, "8b 44 24 fc", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(SP, NO, 0, -4, SS, 4) } },
	{ P32, "8a 24 8d 00 00 00 fe", 0, { LEN(7), LOAD, SIZE(1), HIGH8(AX), MEM(NO, CX, 4, (int32_t)0xfe000000, DS, 4) } },
	{ P32, "67 8b 07", 0, { LEN(3), LOAD, SIZE(4), REG(AX, 4), MEM(BX, NO, 0, 0, DS, 2) } },
	{ P32, "66 89 00", 0, { LEN(3), STORE, SIZE(2), REG(AX, 2), MEM(AX, NO, 0, 0, DS, 4) } },
	{ P32, "2e 8b 00", 0, { LEN(3), LOAD, SIZE(4), REG(AX, 4), MEM(AX, NO, 0, 0, CS, 4) } },
	{ P32, "36 8b 00", 0, { LEN(3), LOAD, SIZE(4), REG(AX, 4), MEM(AX, NO, 0, 0, SS, 4) } },
	{ P32, "26 89 04 24", 0, { LEN(4), STORE, SIZE(4), REG(AX, 4), MEM(SP, NO, 0, 0, ES, 4) } },
	{ P32, "a1 00 10 00 00", 0, { LEN(5), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 4) } },
	{ P32, "67 a1 00 10", 0, { LEN(4), LOAD, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, 0x1000, DS, 2) } },
	{ P32, "a3 00 00 c0 fe", 0, { LEN(5), STORE, SIZE(4), REG(AX, 4), MEM(NO, NO, 0, (int32_t)0xfec00000, DS, 4) } },
	{ P32, "c7 05 b0 00 e0 fe 00 00 00 00", 0, { LEN(10), STORE, SIZE(4), NOREG, IMM(0), MEM(NO, NO, 0, (int32_t)0xfee000b0, DS, 4) } },
	{ P32, "f3 a5", 0, { LEN(2), WRITES(MOVS), .rep = true, SIZE(4), NOREG, MEM(SI, NO, 0, 0, DS, 4) } },
	{ P32, "66 a5", 0, { LEN(2), WRITES(MOVS), SIZE(2), NOREG, MEM(SI, NO, 0, 0, DS, 4) } },
	{ P32, "0f 20 c0", 0, { LEN(3), OP(MOV_FROM_CR), .cr = 0, SIZE(4), REG(AX, 4) } },
	{ P32, "0f 22 df", 0, { LEN(3), OP(MOV_TO_CR), .cr = 3, SIZE(4), REG(DI, 4) } },
	{ P32, "40", -E_NOTSUP, {} },          /* INC EAX, not REX */
	{ P32, "48 89 00", -E_NOTSUP, {} },    /* DEC EAX */
	{ P32, "63 00", -E_NOTSUP, {} },       /* ARPL */
	{ P32, "f0 0f 20 c0", -E_NOTSUP, {} }, /* MOV EAX, CR8 on AMD */

	/* 16-bit protected mode and real mode */
	{ P16, "8b 00", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(BX, SI, 1, 0, DS, 2) } },
	{ P16, "8b 01", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(BX, DI, 1, 0, DS, 2) } },
	{ P16, "8b 02", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(BP, SI, 1, 0, SS, 2) } },
	{ P16, "8b 43 02", 0, { LEN(3), LOAD, SIZE(2), REG(AX, 2), MEM(BP, DI, 1, 2, SS, 2) } },
	{ P16, "8b 04", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(SI, NO, 0, 0, DS, 2) } },
	{ P16, "8b 05", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(DI, NO, 0, 0, DS, 2) } },
	{ P16, "8b 06 34 12", 0, { LEN(4), LOAD, SIZE(2), REG(AX, 2), MEM(NO, NO, 0, 0x1234, DS, 2) } },
	{ P16, "8b 46 fe", 0, { LEN(3), LOAD, SIZE(2), REG(AX, 2), MEM(BP, NO, 0, -2, SS, 2) } },
	{ P16, "8b 07", 0, { LEN(2), LOAD, SIZE(2), REG(AX, 2), MEM(BX, NO, 0, 0, DS, 2) } },
	{ P16, "8b 87 00 80", 0, { LEN(4), LOAD, SIZE(2), REG(AX, 2), MEM(BX, NO, 0, -0x8000, DS, 2) } },
	{ P16, "66 8b 00", 0, { LEN(3), LOAD, SIZE(4), REG(AX, 4), MEM(BX, SI, 1, 0, DS, 2) } },
	{ P16, "67 8b 04 24", 0, { LEN(4), LOAD, SIZE(2), REG(AX, 2), MEM(SP, NO, 0, 0, SS, 4) } },
	{ P16, "a1 34 12", 0, { LEN(3), LOAD, SIZE(2), REG(AX, 2), MEM(NO, NO, 0, 0x1234, DS, 2) } },
	{ P16, "c7 06 00 b8 41 07", 0, { LEN(6), STORE, SIZE(2), NOREG, IMM(0x0741), MEM(NO, NO, 0, (int16_t)0xb800, DS, 2) } },
	{ P16, "f3 a5", 0, { LEN(2), WRITES(MOVS), .rep = true, SIZE(2), NOREG, MEM(SI, NO, 0, 0, DS, 2) } },
	{ P16, "0f 20 c0", 0, { LEN(3), OP(MOV_FROM_CR), .cr = 0, SIZE(4), REG(AX, 4) } },
	{ RM, "26 89 05", 0, { LEN(3), STORE, SIZE(2), REG(AX, 2), MEM(DI, NO, 0, 0, ES, 2) } },
	{ RM, "f3 ab", 0, { LEN(2), WRITES(STOS), .rep = true, SIZE(2), REG(AX, 2), MEM(DI, NO, 0, 0, ES, 2) } },
	{ RM, "66 ef", 0, { LEN(2), OP(OUT), SIZE(4), REG(AX, 4) } },
	{ RM, "0f 01 d9", 0, ONLY(VMMCALL, 3) },
	{ RM, "f4", 0, ONLY(HLT, 1) },
	{ RM, "8b", -E_INVAL, {} },
};

static void check_vector(const struct vector *v)
{
	uint8_t buf[32];
	size_t n = parse_hex(v->hex, buf, sizeof(buf));
	struct x86_insn got;
	const struct x86_insn *w = &v->want;
	int err = x86_decode(buf, n, v->mode, &got);

	if (err != v->err)
		fail_msg("%s [%s]: returned %d, want %d", mode_names[v->mode], v->hex, err, v->err);
	if (err)
		return;
#define FIELD(f) do { if ((int64_t)got.f != (int64_t)w->f) \
	fail_msg("%s [%s]: " #f " is %lld, want %lld", mode_names[v->mode], v->hex, \
		 (long long)got.f, (long long)w->f); } while (0)
	FIELD(length);
	FIELD(op);
	FIELD(has_mem);
	if (w->has_mem) {
		FIELD(mem.base);
		FIELD(mem.index);
		FIELD(mem.scale);
		FIELD(mem.disp);
		FIELD(mem.rip_relative);
		FIELD(mem.addr_size);
		FIELD(mem.segment);
	}
	FIELD(access_size);
	FIELD(is_write);
	FIELD(mem_first);
	FIELD(reg);
	FIELD(reg_high8);
	if (w->reg >= 0)
		FIELD(reg_size);
	FIELD(has_imm);
	FIELD(imm);
	FIELD(cr);
	FIELD(rep);
	FIELD(lock);
#undef FIELD
	/* One byte short is always too short. */
	assert_int_equal(x86_decode(buf, n - 1, v->mode, &got), -E_INVAL);
}

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
		check_vector(&vectors[i]);
}

static void test_bad_mode(void **state)
{
	static const uint8_t hlt = 0xF4;
	struct x86_insn insn;

	(void)state;
	assert_int_equal(x86_decode(&hlt, 1, (enum x86_cpu_mode)7, &insn), -E_INVAL);
}

/* ---- Effective addresses, register access, names -------------------------- */

static uint64_t ea_of(enum x86_cpu_mode mode, const char *hex, const struct vcpu_regs *regs)
{
	uint8_t buf[16];
	size_t n = parse_hex(hex, buf, sizeof(buf));
	struct x86_insn insn;

	assert_int_equal(x86_decode(buf, n, mode, &insn), 0);
	assert_true(insn.has_mem);
	return x86_effective_address(&insn, regs);
}

static void test_effective_address(void **state)
{
	struct vcpu_regs r = { 0 };

	(void)state;
	r.rbp = 0x1000;
	r.rcx = 3;
	assert_int_equal(ea_of(L64, "8b 44 8d f0", &r), 0x1000 + 12 - 16);
	r.rip = 0x400000;
	assert_int_equal(ea_of(L64, "8b 05 10 00 00 00", &r), 0x400000 + 6 + 0x10);
	r.rip = 0xfffffffc; /* EIP-relative wraps at 4 GiB */
	assert_int_equal(ea_of(L64, "67 8b 05 00 00 00 00", &r), 3);
	r.r8 = 0x100;
	r.r12 = 0x10;
	assert_int_equal(ea_of(L64, "4b 8b 04 60", &r), 0x120);
	assert_int_equal(ea_of(L64, "a1 08 07 06 05 04 03 02 01", &r), 0x0102030405060708);
	assert_int_equal(ea_of(L64, "67 a1 ff ff ff ff", &r), 0xffffffff);
	r.rsp = 2;
	assert_int_equal(ea_of(P32, "8b 44 24 fc", &r), 0xfffffffe);
	r.rbx = 0xffff;
	r.rsi = 2;
	assert_int_equal(ea_of(P16, "8b 00", &r), 1); /* [BX+SI] wraps at 64 KiB */
	r.rbx = 0x9000;
	assert_int_equal(ea_of(P16, "8b 87 00 80", &r), 0x1000);
	r.rbx = 0x12345678; /* only BX counts */
	assert_int_equal(ea_of(P16, "8b 07", &r), 0x5678);
	r.rdi = 0x4000;
	assert_int_equal(ea_of(L64, "f3 48 ab", &r), 0x4000);
}

static void test_gpr_ref(void **state)
{
	struct vcpu_regs r = { 0 };

	(void)state;
	assert_ptr_equal(x86_gpr_ref(&r, 0), &r.rax);
	assert_ptr_equal(x86_gpr_ref(&r, 1), &r.rcx);
	assert_ptr_equal(x86_gpr_ref(&r, 2), &r.rdx);
	assert_ptr_equal(x86_gpr_ref(&r, 3), &r.rbx);
	assert_ptr_equal(x86_gpr_ref(&r, 4), &r.rsp);
	assert_ptr_equal(x86_gpr_ref(&r, 5), &r.rbp);
	assert_ptr_equal(x86_gpr_ref(&r, 6), &r.rsi);
	assert_ptr_equal(x86_gpr_ref(&r, 7), &r.rdi);
	assert_ptr_equal(x86_gpr_ref(&r, 8), &r.r8);
	assert_ptr_equal(x86_gpr_ref(&r, 12), &r.r12);
	assert_ptr_equal(x86_gpr_ref(&r, 15), &r.r15);
	assert_null(x86_gpr_ref(&r, 16));
	assert_null(x86_gpr_ref(&r, -1));
}

static void test_names(void **state)
{
	struct x86_insn insn = { .reg = 3, .reg_high8 = true, .reg_size = 1 };

	(void)state;
	assert_string_equal(x86_gpr_name(0, 8), "rax");
	assert_string_equal(x86_gpr_name(4, 1), "spl");
	assert_string_equal(x86_gpr_name(9, 2), "r9w");
	assert_string_equal(x86_gpr_name(13, 4), "r13d");
	assert_string_equal(x86_gpr_name(15, 1), "r15b");
	assert_string_equal(x86_gpr_name(0, 3), "?");
	assert_string_equal(x86_gpr_name(16, 8), "?");
	assert_string_equal(x86_insn_reg_name(&insn), "bh");
	insn.reg_high8 = false;
	assert_string_equal(x86_insn_reg_name(&insn), "bl");
	for (int op = 0; op < X86_OP_KIND_COUNT; op++)
		assert_string_not_equal(x86_op_name((enum x86_op_kind)op), "?");
	assert_string_equal(x86_op_name(X86_OP_CPUID), "cpuid");
	assert_string_equal(x86_op_name(X86_OP_KIND_COUNT), "?");
}

/* ---- Differential testing against Zydis --------------------------------- */

static ZydisDecoder zydis[4];

static void zydis_init(void)
{
	static bool done;

	if (done)
		return;
	assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zydis[X86_MODE_REAL],
		ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16)));
	assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zydis[X86_MODE_PROT16],
		ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16)));
	assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zydis[X86_MODE_PROT32],
		ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32)));
	assert_true(ZYAN_SUCCESS(ZydisDecoderInit(&zydis[X86_MODE_LONG64],
		ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)));
	done = true;
}

struct zydis_result {
	bool ok;
	ZydisDecodedInstruction insn;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

static void zydis_decode(enum x86_cpu_mode mode, const uint8_t *b, size_t n,
			 struct zydis_result *z)
{
	z->ok = ZYAN_SUCCESS(ZydisDecoderDecodeFull(&zydis[mode], b, n, &z->insn, z->ops));
}

static bool mnemonic_matches(enum x86_op_kind op, ZydisMnemonic m)
{
	switch (op) {
	case X86_OP_MOV_STORE:
	case X86_OP_MOV_LOAD:
	case X86_OP_MOV_FROM_CR:
	case X86_OP_MOV_TO_CR:
		return m == ZYDIS_MNEMONIC_MOV;
	case X86_OP_MOVZX: return m == ZYDIS_MNEMONIC_MOVZX;
	case X86_OP_MOVSX: return m == ZYDIS_MNEMONIC_MOVSX || m == ZYDIS_MNEMONIC_MOVSXD;
	case X86_OP_AND: return m == ZYDIS_MNEMONIC_AND;
	case X86_OP_OR: return m == ZYDIS_MNEMONIC_OR;
	case X86_OP_XOR: return m == ZYDIS_MNEMONIC_XOR;
	case X86_OP_TEST: return m == ZYDIS_MNEMONIC_TEST;
	case X86_OP_CMP: return m == ZYDIS_MNEMONIC_CMP;
	case X86_OP_MOVS:
		return m == ZYDIS_MNEMONIC_MOVSB || m == ZYDIS_MNEMONIC_MOVSW ||
		       m == ZYDIS_MNEMONIC_MOVSD || m == ZYDIS_MNEMONIC_MOVSQ;
	case X86_OP_STOS:
		return m == ZYDIS_MNEMONIC_STOSB || m == ZYDIS_MNEMONIC_STOSW ||
		       m == ZYDIS_MNEMONIC_STOSD || m == ZYDIS_MNEMONIC_STOSQ;
	case X86_OP_LODS:
		return m == ZYDIS_MNEMONIC_LODSB || m == ZYDIS_MNEMONIC_LODSW ||
		       m == ZYDIS_MNEMONIC_LODSD || m == ZYDIS_MNEMONIC_LODSQ;
	case X86_OP_INS:
		return m == ZYDIS_MNEMONIC_INSB || m == ZYDIS_MNEMONIC_INSW ||
		       m == ZYDIS_MNEMONIC_INSD;
	case X86_OP_OUTS:
		return m == ZYDIS_MNEMONIC_OUTSB || m == ZYDIS_MNEMONIC_OUTSW ||
		       m == ZYDIS_MNEMONIC_OUTSD;
	case X86_OP_IN: return m == ZYDIS_MNEMONIC_IN;
	case X86_OP_OUT: return m == ZYDIS_MNEMONIC_OUT;
	case X86_OP_CPUID: return m == ZYDIS_MNEMONIC_CPUID;
	case X86_OP_RDMSR: return m == ZYDIS_MNEMONIC_RDMSR;
	case X86_OP_WRMSR: return m == ZYDIS_MNEMONIC_WRMSR;
	case X86_OP_RDTSC: return m == ZYDIS_MNEMONIC_RDTSC;
	case X86_OP_RDTSCP: return m == ZYDIS_MNEMONIC_RDTSCP;
	case X86_OP_HLT: return m == ZYDIS_MNEMONIC_HLT;
	case X86_OP_INVD: return m == ZYDIS_MNEMONIC_INVD;
	case X86_OP_WBINVD: return m == ZYDIS_MNEMONIC_WBINVD;
	case X86_OP_XSETBV: return m == ZYDIS_MNEMONIC_XSETBV;
	case X86_OP_VMCALL: return m == ZYDIS_MNEMONIC_VMCALL;
	case X86_OP_VMMCALL: return m == ZYDIS_MNEMONIC_VMMCALL;
	case X86_OP_NONE:
	case X86_OP_KIND_COUNT:
		return false;
	}
	return false;
}

static bool mnemonic_supported(ZydisMnemonic m)
{
	static bool table[ZYDIS_MNEMONIC_MAX_VALUE + 1], filled;

	if (!filled) {
		for (int k = 0; k <= ZYDIS_MNEMONIC_MAX_VALUE; k++)
			for (int op = 1; op < X86_OP_KIND_COUNT; op++)
				table[k] |= mnemonic_matches((enum x86_op_kind)op, (ZydisMnemonic)k);
		filled = true;
	}
	return (unsigned)m <= ZYDIS_MNEMONIC_MAX_VALUE && table[m];
}

static const char *zreg(ZydisRegister r)
{
	const char *s = r == ZYDIS_REGISTER_NONE ? "none" : ZydisRegisterGetString(r);

	return s ? s : "?";
}

static bool is_string_op(enum x86_op_kind op)
{
	return op == X86_OP_MOVS || op == X86_OP_STOS || op == X86_OP_LODS ||
	       op == X86_OP_INS || op == X86_OP_OUTS;
}

static uint64_t trunc_bytes(uint64_t v, unsigned bytes)
{
	return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

static char mismatch[256];
static uint64_t st_zydis_bug_592;

/*
 * Zydis 4.0 (Debian 12) bug, zyantific/zydis#592, fixed upstream in #593:
 * with 32-bit addressing in 64-bit mode, REX.B and a SIB byte with base 101
 * and mod 00, it reports base R13D and no displacement, although the CPU
 * uses no base and a disp32 (SDM vol. 2 table 2-5) and Zydis' own length
 * and raw fields include that disp32.
 */
static bool zydis_bug_592(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zmem,
			  const struct x86_insn *in)
{
	return zi->machine_mode == ZYDIS_MACHINE_MODE_LONG_64 && zi->address_width == 32 &&
	       zi->raw.sib.base == 5 && zi->raw.modrm.mod == 0 && zi->raw.modrm.rm == 4 &&
	       zmem->mem.base == ZYDIS_REGISTER_R13D && in->mem.base == -1 &&
	       !zmem->mem.disp.has_displacement;
}

/* Why our decode disagrees with Zydis', or NULL when it agrees. */
static const char *compare_with_zydis(const struct x86_insn *in, const struct zydis_result *z)
{
	static const char *const seg_names[] = { "es", "cs", "ss", "ds", "fs", "gs" };
	const ZydisDecodedInstruction *zi = &z->insn;
	const ZydisDecodedOperand *zmem = NULL;
	const char *want_base = "none", *want_index = "none";
	const char *reg_name = in->reg >= 0 ? x86_insn_reg_name(in) : NULL;
	char cr_name[8];
	int nmem = 0, mem_pos = -1;
	bool zwrites = false, reg_found = false, cr_found = false, zimm = false, bug_592;
	uint64_t zimm_value = 0;

	if (zi->length != in->length)
		return snprintf(mismatch, sizeof(mismatch), "length %u vs zydis %u",
				in->length, zi->length), mismatch;
	if (!mnemonic_matches(in->op, zi->mnemonic))
		return snprintf(mismatch, sizeof(mismatch), "op %s vs zydis %s",
				x86_op_name(in->op), ZydisMnemonicGetString(zi->mnemonic)), mismatch;
	if (in->lock != !!(zi->attributes & ZYDIS_ATTRIB_HAS_LOCK))
		return "lock";
	if (is_string_op(in->op) && in->rep != !!(zi->attributes & ZYDIS_ATTRIB_HAS_REP))
		return "rep";

	if (in->has_mem) {
		want_base = in->mem.rip_relative ? (in->mem.addr_size == 8 ? "rip" : "eip") :
			    in->mem.base >= 0 ? x86_gpr_name(in->mem.base, in->mem.addr_size) : "none";
		want_index = in->mem.index >= 0 ? x86_gpr_name(in->mem.index, in->mem.addr_size) : "none";
	}
	if (in->op == X86_OP_MOV_FROM_CR || in->op == X86_OP_MOV_TO_CR)
		snprintf(cr_name, sizeof(cr_name), "cr%u", in->cr);
	for (unsigned k = 0; k < zi->operand_count; k++) {
		const ZydisDecodedOperand *o = &z->ops[k];

		if (o->type == ZYDIS_OPERAND_TYPE_MEMORY && o->mem.type == ZYDIS_MEMOP_TYPE_MEM) {
			nmem++;
			zwrites |= (o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0;
			if (!zmem && (!is_string_op(in->op) || !strcmp(zreg(o->mem.base), want_base))) {
				zmem = o;
				mem_pos = (int)k;
			}
		} else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
			const char *name = zreg(o->reg.value);

			if (reg_name && !strcmp(name, reg_name)) {
				reg_found = true;
			} else if (in->op == X86_OP_MOV_FROM_CR || in->op == X86_OP_MOV_TO_CR) {
				if (!strcmp(name, cr_name))
					cr_found = true;
				else
					return "control register operand";
			} else if (o->visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
				   !((in->op == X86_OP_IN || in->op == X86_OP_OUT) && !in->has_imm &&
				     !strcmp(name, "dx"))) {
				return snprintf(mismatch, sizeof(mismatch), "zydis has register %s, we %s",
						name, reg_name ? reg_name : "none"), mismatch;
			}
		} else if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
			zimm = true;
			zimm_value = o->imm.value.u;
		}
	}
	if (reg_name && !reg_found)
		return snprintf(mismatch, sizeof(mismatch), "register %s not in zydis' operands",
				reg_name), mismatch;
	if ((in->op == X86_OP_MOV_FROM_CR || in->op == X86_OP_MOV_TO_CR) && !cr_found)
		return "control register missing";
	if (in->has_imm != zimm)
		return "immediate presence";
	if (zimm) {
		unsigned bytes = in->op == X86_OP_IN || in->op == X86_OP_OUT ? 1 : in->access_size;

		if (trunc_bytes(zimm_value, bytes) != in->imm)
			return snprintf(mismatch, sizeof(mismatch), "imm %#llx vs zydis %#llx",
					(unsigned long long)in->imm, (unsigned long long)zimm_value), mismatch;
	}
	if (in->has_mem != (nmem > 0))
		return "memory operand presence";
	if (!in->has_mem)
		return NULL;
	if (!zmem)
		return "no matching zydis memory operand";
	if (zi->address_width != in->mem.addr_size * 8)
		return "address size";
	if (zmem->size != in->access_size * 8)
		return snprintf(mismatch, sizeof(mismatch), "access size %u vs zydis %u bits",
				in->access_size, zmem->size), mismatch;
	if (in->is_write != zwrites)
		return "is_write";
	bug_592 = zydis_bug_592(zi, zmem, in);
	if (bug_592) {
		/* Trust the raw displacement Zydis did read (and count in the length). */
		st_zydis_bug_592++;
		if (zi->raw.disp.size != 32 || zi->raw.disp.value != in->mem.disp)
			return "disp (zydis bug 592 path)";
	} else if (strcmp(zreg(zmem->mem.base), want_base))
		return snprintf(mismatch, sizeof(mismatch), "base %s vs zydis %s", want_base,
				zreg(zmem->mem.base)), mismatch;
	if (strcmp(zreg(zmem->mem.index), want_index))
		return snprintf(mismatch, sizeof(mismatch), "index %s vs zydis %s", want_index,
				zreg(zmem->mem.index)), mismatch;
	if (in->mem.index >= 0 && zmem->mem.scale != in->mem.scale)
		return "scale";
	if (!bug_592 && (zmem->mem.disp.has_displacement ? zmem->mem.disp.value : 0) != in->mem.disp)
		return snprintf(mismatch, sizeof(mismatch), "disp %lld vs zydis %lld",
				(long long)in->mem.disp, (long long)zmem->mem.disp.value), mismatch;
	if (in->mem.segment < SEG_ES || in->mem.segment > SEG_GS ||
	    strcmp(zreg(zmem->mem.segment), seg_names[in->mem.segment]))
		return snprintf(mismatch, sizeof(mismatch), "segment %d vs zydis %s",
				in->mem.segment, zreg(zmem->mem.segment)), mismatch;
	if (!is_string_op(in->op) && in->mem_first != (mem_pos == 0))
		return "operand order";
	return NULL;
}

struct diff_stats {
	uint64_t cases, ours_ok, ours_notsup, ours_inval, zydis_ok;
	uint64_t refused_known;  /* we refused an instruction Zydis decodes to one of our mnemonics */
};

enum expectation {
	EXPECT_ANY,     /* random bytes: only the two safety properties */
	EXPECT_DECODE,  /* a supported form: decode it whenever Zydis does */
	EXPECT_REFUSE,  /* a form we refuse by design */
};

/* Decode `buf` both ways and enforce the properties; see the test comments. */
static void diff_one(struct diff_stats *st, enum x86_cpu_mode mode, const uint8_t *buf,
		     size_t n, enum expectation expect)
{
	struct zydis_result z;
	struct x86_insn in, again;
	const char *why = NULL;
	char hex[64];
	int err;

	st->cases++;
	err = x86_decode(buf, n, mode, &in);
	if (err == 0 || expect == EXPECT_DECODE)
		zydis_decode(mode, buf, n, &z);
	else /* only for the statistics: no operands needed */
		z.ok = ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&zydis[mode], NULL, buf, n, &z.insn));
	st->zydis_ok += z.ok;
	if (err == 0) {
		st->ours_ok++;
		if (!z.ok)
			why = "we decoded bytes zydis calls invalid";
		else if (expect == EXPECT_REFUSE)
			why = "decoded a form that must be refused";
		else
			why = compare_with_zydis(&in, &z);
		/* Exactly `length` bytes suffice; one fewer never does. */
		if (!why && (x86_decode(buf, in.length, mode, &again) != 0 ||
			     memcmp(&in, &again, sizeof(in))))
			why = "decode of exactly length bytes differs";
		if (!why && x86_decode(buf, in.length - 1u, mode, &again) != -E_INVAL)
			why = "decoded from length - 1 bytes";
	} else if (err == -E_NOTSUP || err == -E_INVAL) {
		st->ours_notsup += err == -E_NOTSUP;
		st->ours_inval += err == -E_INVAL;
		if (z.ok && mnemonic_supported(z.insn.mnemonic))
			st->refused_known++;
		if (z.ok && expect == EXPECT_DECODE)
			why = "refused a supported form zydis decodes";
	} else {
		why = "unexpected error code";
	}
	if (why) {
		char zs[96] = "invalid";
		ZydisFormatter f;

		if (z.ok) {
			ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
			ZydisFormatterFormatInstruction(&f, &z.insn, z.ops, z.insn.operand_count_visible,
							zs, sizeof(zs), 0, NULL);
		}
		format_bytes(hex, sizeof(hex), buf, n);
		fail_msg("%s [%s]: %s (ours %d, zydis '%s')", mode_names[mode], hex, why, err, zs);
	}
}

/* The hand vectors, once more through Zydis: both references must agree. */
static void test_zydis_vectors(void **state)
{
	struct diff_stats st = { 0 };

	(void)state;
	zydis_init();
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		uint8_t buf[32];
		size_t n = parse_hex(vectors[i].hex, buf, sizeof(buf));

		diff_one(&st, vectors[i].mode, buf, n,
			 vectors[i].err == 0 ? EXPECT_DECODE : EXPECT_ANY);
	}
}

/* ---- Generated set --------------------------------------------------------- */

enum {
	T_MODRM = 1,      /* iterate ModRM (and SIB) */
	T_0F = 2,         /* two-byte map: F2/F3 refused, 66 too unless T_66 */
	T_66 = 4,         /* 66 is the operand size (MOVZX/MOVSX) */
	T_STRING = 8,     /* F2 refused */
	T_LONG_ONLY = 16, /* MOVSXD */
	T_ANY_MOD = 32,   /* MOV CR: register operand whatever mod says; LOCK refused */
};

struct opcode_template {
	uint8_t bytes[3];
	uint8_t n;
	uint8_t flags;
	uint8_t reg_mask; /* supported ModRM.reg values (T_MODRM) */
};

#define T1(b, f, m) { { b }, 1, f, m }
#define T2(b, c, f, m) { { b, c }, 2, f, m }
#define T3(b, c, d, f) { { b, c, d }, 3, f, 0xFF }
static const struct opcode_template templates[] = {
	T1(0x88, T_MODRM, 0xFF), T1(0x89, T_MODRM, 0xFF), T1(0x8A, T_MODRM, 0xFF),
	T1(0x8B, T_MODRM, 0xFF), T1(0x08, T_MODRM, 0xFF), T1(0x09, T_MODRM, 0xFF),
	T1(0x0A, T_MODRM, 0xFF), T1(0x0B, T_MODRM, 0xFF), T1(0x20, T_MODRM, 0xFF),
	T1(0x21, T_MODRM, 0xFF), T1(0x22, T_MODRM, 0xFF), T1(0x23, T_MODRM, 0xFF),
	T1(0x30, T_MODRM, 0xFF), T1(0x31, T_MODRM, 0xFF), T1(0x32, T_MODRM, 0xFF),
	T1(0x33, T_MODRM, 0xFF), T1(0x38, T_MODRM, 0xFF), T1(0x39, T_MODRM, 0xFF),
	T1(0x3A, T_MODRM, 0xFF), T1(0x3B, T_MODRM, 0xFF), T1(0x84, T_MODRM, 0xFF),
	T1(0x85, T_MODRM, 0xFF), T1(0x63, T_MODRM | T_LONG_ONLY, 0xFF),
	/* group 1: /1 OR, /4 AND, /6 XOR, /7 CMP; C6/C7 /0 MOV; F6/F7 /0 TEST */
	T1(0x80, T_MODRM, 0xD2), T1(0x81, T_MODRM, 0xD2), T1(0x83, T_MODRM, 0xD2),
	T1(0xC6, T_MODRM, 0x01), T1(0xC7, T_MODRM, 0x01), T1(0xF6, T_MODRM, 0x01),
	T1(0xF7, T_MODRM, 0x01),
	T2(0x0F, 0xB6, T_MODRM | T_0F | T_66, 0xFF), T2(0x0F, 0xB7, T_MODRM | T_0F | T_66, 0xFF),
	T2(0x0F, 0xBE, T_MODRM | T_0F | T_66, 0xFF), T2(0x0F, 0xBF, T_MODRM | T_0F | T_66, 0xFF),
	T2(0x0F, 0x20, T_MODRM | T_0F | T_ANY_MOD, 0xFF),
	T2(0x0F, 0x22, T_MODRM | T_0F | T_ANY_MOD, 0xFF),
	T1(0xA0, 0, 0), T1(0xA1, 0, 0), T1(0xA2, 0, 0), T1(0xA3, 0, 0),
	T1(0xA4, T_STRING, 0), T1(0xA5, T_STRING, 0), T1(0xAA, T_STRING, 0),
	T1(0xAB, T_STRING, 0), T1(0xAC, T_STRING, 0), T1(0xAD, T_STRING, 0),
	T1(0x6C, T_STRING, 0), T1(0x6D, T_STRING, 0), T1(0x6E, T_STRING, 0),
	T1(0x6F, T_STRING, 0),
	T1(0xE4, 0, 0), T1(0xE5, 0, 0), T1(0xE6, 0, 0), T1(0xE7, 0, 0),
	T1(0xEC, 0, 0), T1(0xED, 0, 0), T1(0xEE, 0, 0), T1(0xEF, 0, 0),
	T1(0xF4, 0, 0),
	T2(0x0F, 0xA2, T_0F, 0), T2(0x0F, 0x30, T_0F, 0), T2(0x0F, 0x31, T_0F, 0),
	T2(0x0F, 0x32, T_0F, 0), T2(0x0F, 0x08, T_0F, 0), T2(0x0F, 0x09, T_0F, 0),
	T3(0x0F, 0x01, 0xC1, T_0F), T3(0x0F, 0x01, 0xD1, T_0F), T3(0x0F, 0x01, 0xD9, T_0F),
	T3(0x0F, 0x01, 0xF9, T_0F),
};

/* Prefix combinations that change the decoding (or must be refused). */
static const char *const legacy_prefixes[] = {
	"", "67", "66", "66 67", "f3", "f2", "f0", "f0 66", "f3 f2", "f2 f3",
	"2e", "36", "3e", "26", "64", "65", "64 64", "64 65", "2e 3e", "36 64",
	"66 67 f3 64", "f0 67 65", "26 26 26 26 26 26 26 26",
};
static const char *const rex_prefixes[] = {
	"4b", "40", "41", "42", "44", "48", "4f", "47", "66 48", "48 66", "67 4b",
	"48 40", "40 48", "64 4c", "f0 48", "f3 48", "66 67 49", "48 26",
};
#define FULL_SIB_COMBOS 2 /* the first two of each list: every SIB byte */

struct prefix_info {
	uint8_t bytes[15];
	size_t n;
	bool o66, f2, f3, lock, seg_conflict;
	bool opsize16_64; /* 64-bit mode operand size 16: 66 without a final REX.W */
};

static void parse_prefixes(const char *hex, struct prefix_info *p)
{
	int seg = -1;

	*p = (struct prefix_info){ 0 };
	p->n = parse_hex(hex, p->bytes, sizeof(p->bytes));
	for (size_t i = 0; i < p->n; i++) {
		uint8_t b = p->bytes[i];

		p->o66 |= b == 0x66;
		p->f2 |= b == 0xF2;
		p->f3 |= b == 0xF3;
		p->lock |= b == 0xF0;
		p->opsize16_64 = p->o66 && !(b >= 0x48 && b <= 0x4F);
		if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65) {
			if (seg >= 0 && seg != b)
				p->seg_conflict = true;
			seg = b;
		}
	}
}

/* The refusal rules of the decoder, restated independently. */
static bool must_refuse(const struct opcode_template *t, const struct prefix_info *p,
			enum x86_cpu_mode mode, uint8_t modrm)
{
	if ((t->flags & T_LONG_ONLY) && (mode != X86_MODE_LONG64 || p->opsize16_64))
		return true;
	if (p->seg_conflict)
		return true;
	if ((t->flags & T_STRING) && p->f2)
		return true;
	if ((t->flags & T_0F) && (p->f2 || p->f3 || (p->o66 && !(t->flags & T_66))))
		return true;
	if (t->flags & T_MODRM) {
		if (!(t->flags & T_ANY_MOD) && (modrm >> 6) == 3)
			return true;
		if (!(t->reg_mask & (1u << ((modrm >> 3) & 7))))
			return true;
		if ((t->flags & T_ANY_MOD) && p->lock)
			return true;
	}
	return false;
}

/* prefixes + opcode + [ModRM [SIB]] + tail, 15 bytes in all. */
static void run_case(struct diff_stats *st, enum x86_cpu_mode mode,
		     const struct opcode_template *t, const struct prefix_info *p,
		     int modrm, int sib, int tail)
{
	uint8_t buf[X86_MAX_INSN_LEN];
	size_t n = 0;

	memcpy(buf, p->bytes, p->n);
	n = p->n;
	memcpy(buf + n, t->bytes, t->n);
	n += t->n;
	if (modrm >= 0)
		buf[n++] = (uint8_t)modrm;
	if (sib >= 0)
		buf[n++] = (uint8_t)sib;
	for (; n < sizeof(buf); n++)
		buf[n] = tail == 0 ? (uint8_t)rng_next() : tail == 1 ? 0x80 : 0x7F;
	diff_one(st, mode, buf, sizeof(buf),
		 must_refuse(t, p, mode, (uint8_t)(modrm < 0 ? 0 : modrm)) ?
		 EXPECT_REFUSE : EXPECT_DECODE);
}

static void print_stats(const char *what, enum x86_cpu_mode mode, const struct diff_stats *st)
{
	print_message("%s %-6s: %8llu cases, zydis decodes %8llu, we decode %8llu "
		      "(%5.1f%%), refuse %llu (NOTSUP %llu, INVAL %llu), "
		      "of which zydis gives one of our mnemonics %llu\n",
		      what, mode_names[mode], (unsigned long long)st->cases,
		      (unsigned long long)st->zydis_ok, (unsigned long long)st->ours_ok,
		      100.0 * (double)st->ours_ok / (double)st->cases,
		      (unsigned long long)(st->ours_notsup + st->ours_inval),
		      (unsigned long long)st->ours_notsup, (unsigned long long)st->ours_inval,
		      (unsigned long long)st->refused_known);
}

/*
 * For each mode, each supported opcode and each prefix combination: every
 * ModRM byte; every SIB byte with the first combinations, a few with the
 * others; tails random, 0x80.. and 0x7F.. (displacement and immediate sign
 * edges), rotating. Whatever we decode must match Zydis; a form we support must be
 * decoded whenever Zydis decodes it; a form we refuse must be refused.
 */
static void test_zydis_generated(void **state)
{
	(void)state;
	zydis_init();
	rng_seed(0x5eed0001);
	for (int mode = X86_MODE_REAL; mode <= X86_MODE_LONG64; mode++) {
		size_t nlegacy = ARRAY_SIZE(legacy_prefixes);
		size_t ncombos = nlegacy + (mode == X86_MODE_LONG64 ? ARRAY_SIZE(rex_prefixes) : 0);
		struct diff_stats st = { 0 };

		for (size_t c = 0; c < ncombos; c++) {
			struct prefix_info p;
			bool full_sib = c < FULL_SIB_COMBOS ||
					(c >= nlegacy && c < nlegacy + FULL_SIB_COMBOS);

			parse_prefixes(c < nlegacy ? legacy_prefixes[c] : rex_prefixes[c - nlegacy], &p);
			for (size_t i = 0; i < ARRAY_SIZE(templates); i++) {
				const struct opcode_template *t = &templates[i];

				if (!(t->flags & T_MODRM)) {
					for (int tail = 0; tail < 3; tail++)
						run_case(&st, (enum x86_cpu_mode)mode, t, &p, -1, -1, tail);
					continue;
				}
				for (int modrm = 0; modrm < 256; modrm++) {
					bool sib = (modrm >> 6) != 3 && (modrm & 7) == 4;

					/* tail kinds rotate over the prefix combinations */
					run_case(&st, (enum x86_cpu_mode)mode, t, &p, modrm, -1,
						 (int)((c + (size_t)modrm) % 3));
					if (!sib)
						continue;
					for (int s = 0; s < (full_sib ? 256 : 3); s++)
						run_case(&st, (enum x86_cpu_mode)mode, t, &p, modrm,
							 full_sib ? s : (int)rng_below(256), 0);
				}
			}
		}
		print_stats("generated", (enum x86_cpu_mode)mode, &st);
		if (mode == X86_MODE_LONG64)
			print_message("generated long64: %llu decodes hit zydis bug 592 "
				      "(checked against its raw disp32)\n",
				      (unsigned long long)st_zydis_bug_592);
		assert_true(st.ours_ok > 0);
	}
}

/* ---- Seeded random bytes ----------------------------------------------------- */

#define RANDOM_PER_MODE 1000000
#define BIASED_PER_MODE 250000

/*
 * Random 15-byte buffers, then buffers biased towards our opcodes (random
 * prefixes, a supported opcode, random rest). Whenever we decode, Zydis
 * must decode the same length and operands; whenever Zydis says invalid, we
 * must not decode.
 */
static void test_zydis_random(void **state)
{
	static const uint8_t prefix_pool[] = {
		0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65,
		0x40, 0x41, 0x44, 0x48, 0x4C, 0x4F,
	};

	(void)state;
	zydis_init();
	rng_seed(0x5eed0002);
	for (int mode = X86_MODE_REAL; mode <= X86_MODE_LONG64; mode++) {
		struct diff_stats pure = { 0 }, biased = { 0 };
		uint8_t buf[X86_MAX_INSN_LEN];

		for (long i = 0; i < RANDOM_PER_MODE; i++) {
			for (size_t k = 0; k < sizeof(buf); k++)
				buf[k] = (uint8_t)rng_next();
			diff_one(&pure, (enum x86_cpu_mode)mode, buf, sizeof(buf), EXPECT_ANY);
		}
		for (long i = 0; i < BIASED_PER_MODE; i++) {
			const struct opcode_template *t = &templates[rng_below(ARRAY_SIZE(templates))];
			size_t n = rng_below(5);

			for (size_t k = 0; k < n; k++)
				buf[k] = prefix_pool[rng_below(ARRAY_SIZE(prefix_pool))];
			memcpy(buf + n, t->bytes, t->n);
			for (n += t->n; n < sizeof(buf); n++)
				buf[n] = (uint8_t)rng_next();
			diff_one(&biased, (enum x86_cpu_mode)mode, buf, sizeof(buf), EXPECT_ANY);
		}
		print_stats("random   ", (enum x86_cpu_mode)mode, &pure);
		print_stats("biased   ", (enum x86_cpu_mode)mode, &biased);
		assert_true(pure.ours_ok > 0 && biased.ours_ok > biased.cases / 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_bad_mode),
		cmocka_unit_test(test_effective_address),
		cmocka_unit_test(test_gpr_ref),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_zydis_vectors),
		cmocka_unit_test(test_zydis_generated),
		cmocka_unit_test(test_zydis_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
