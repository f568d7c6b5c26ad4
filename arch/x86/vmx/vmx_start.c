/*
 * The start states of docs/guests.md in VMCS terms. With "unrestricted
 * guest" the CPU runs real mode and unpaged protected mode itself, so both
 * start directly: real mode is CS base = selector << 4 with 64 KiB limits.
 * Register values other than segments, CR0, RIP and RFLAGS are core's. Pure.
 */
#include <plinth/errno.h>
#include <plinth/string.h>

#include "vmx.h"

/* Descriptor type nibbles of what the vCPU starts with. */
#define CODE_EXEC_READ_ACC 0xB
#define DATA_READ_WRITE_ACC 0x3
#define SYS_LDT 0x2
#define SYS_TSS32_BUSY 0xB

#define START_CR0_PE 0x1ULL
#define START_CR0_ET 0x10ULL
#define START_RFLAGS 0x2ULL
#define LIMIT_64K 0xFFFFu
#define LIMIT_4G 0xFFFFFFFFu
#define FLAT_CS_SELECTOR 0x08
#define FLAT_DS_SELECTOR 0x10

static void put(struct vmx_start *s, enum vcpu_seg which, uint16_t sel, uint16_t attr,
		uint32_t limit, uint64_t base)
{
	s->seg[which] = (struct vmx_seg_state){
		.selector = sel, .ar = vmx_ar_from_attr(attr), .limit = limit, .base = base,
	};
}

int vmx_start_state(struct vmx_start *s, enum vcpu_start_mode mode, uint64_t entry)
{
	uint16_t code = SEG_ATTR_TYPE(CODE_EXEC_READ_ACC) | SEG_ATTR_S | SEG_ATTR_P;
	uint16_t data = SEG_ATTR_TYPE(DATA_READ_WRITE_ACC) | SEG_ATTR_S | SEG_ATTR_P;
	uint16_t data_sel = 0;
	uint32_t limit = LIMIT_64K;

	memset(s, 0, sizeof(*s));
	if (mode == VCPU_START_PROT32) {
		if (entry >> 32)
			return -E_INVAL;
		/* Flat 4 GiB: page granularity, 32-bit default size. */
		code |= SEG_ATTR_G | SEG_ATTR_DB;
		data |= SEG_ATTR_G | SEG_ATTR_DB;
		limit = LIMIT_4G;
		data_sel = FLAT_DS_SELECTOR;
		put(s, SEG_CS, FLAT_CS_SELECTOR, code, limit, 0);
		s->cr0 = START_CR0_PE | START_CR0_ET;
		s->rip = entry;
	} else if (mode == VCPU_START_REAL) {
		if (entry >= (1ULL << 20))
			return -E_INVAL;
		/* CS:IP = (entry >> 4):(entry & 15), the base following the selector. */
		put(s, SEG_CS, (uint16_t)(entry >> 4), code, limit, (entry >> 4) << 4);
		s->cr0 = START_CR0_ET;
		s->rip = entry & 0xF;
	} else {
		return -E_INVAL;
	}
	for (enum vcpu_seg d = SEG_ES; d <= SEG_GS; d++)
		if (d != SEG_CS)
			put(s, d, data_sel, data, limit, 0);
	/* As after RESET: an empty LDT, a busy TSS, 64 KiB descriptor tables at 0. */
	put(s, SEG_LDTR, 0, SEG_ATTR_TYPE(SYS_LDT) | SEG_ATTR_P, LIMIT_64K, 0);
	put(s, SEG_TR, 0, SEG_ATTR_TYPE(SYS_TSS32_BUSY) | SEG_ATTR_P, LIMIT_64K, 0);
	s->gdtr_limit = LIMIT_64K;
	s->idtr_limit = LIMIT_64K;
	s->rflags = START_RFLAGS; /* IF = 0 */
	return 0;
}
