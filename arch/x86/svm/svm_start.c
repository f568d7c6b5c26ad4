/*
 * The state a vCPU starts in (docs/guests.md), written into the VMCB save
 * area. Register values that are not segments or control registers (EAX,
 * EBX, ...) are core's: it fills v->regs. Pure, so it can be unit-tested.
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/vcpu.h>

#include "svm.h"

#define CR0_PE_BIT (1ULL << 0)
#define CR0_ET_BIT (1ULL << 4) /* hardwired to 1 on every CPU with SVM */
#define DR6_RESET 0xFFFF0FF0ULL
#define DR7_RESET 0x400ULL
#define RFLAGS_RESERVED_1 0x2ULL

/* Descriptor types (the low 4 attribute bits). */
#define TYPE_DATA_RW_ACCESSED 0x3
#define TYPE_CODE_RX_ACCESSED 0xB
#define TYPE_LDT 0x2
#define TYPE_TSS_BUSY 0xB

#define ATTR_CODE (SEG_ATTR_TYPE(TYPE_CODE_RX_ACCESSED) | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_DATA (SEG_ATTR_TYPE(TYPE_DATA_RW_ACCESSED) | SEG_ATTR_S | SEG_ATTR_P)
#define ATTR_FLAT32 (SEG_ATTR_DB | SEG_ATTR_G)

/* Selectors for the flat protected-mode segments (the guest has no GDT yet). */
#define PROT32_CS 0x08
#define PROT32_DS 0x10

static void seg(struct vmcb_seg *s, uint16_t selector, uint16_t attr, uint32_t limit, uint64_t base)
{
	s->selector = selector;
	s->attr = attr;
	s->limit = limit;
	s->base = base;
}

static void data_segs(struct vmcb_save *save, uint16_t selector, uint16_t attr, uint32_t limit)
{
	seg(&save->ds, selector, attr, limit, 0);
	seg(&save->es, selector, attr, limit, 0);
	seg(&save->ss, selector, attr, limit, 0);
	seg(&save->fs, selector, attr, limit, 0);
	seg(&save->gs, selector, attr, limit, 0);
}

int svm_start_state(struct vmcb_save *save, enum vcpu_start_mode mode, uint64_t entry)
{
	memset(save, 0, sizeof(*save));

	switch (mode) {
	case VCPU_START_PROT32:
		if (entry > 0xFFFFFFFFULL)
			return -E_INVAL;
		seg(&save->cs, PROT32_CS, ATTR_CODE | ATTR_FLAT32, 0xFFFFFFFFu, 0);
		data_segs(save, PROT32_DS, ATTR_DATA | ATTR_FLAT32, 0xFFFFFFFFu);
		save->cr0 = CR0_PE_BIT | CR0_ET_BIT;
		save->rip = entry;
		break;
	case VCPU_START_REAL:
		/* CS:IP = (entry >> 4):(entry & 15); reachable below 1 MiB only. */
		if (entry > 0xFFFFFULL)
			return -E_INVAL;
		seg(&save->cs, (uint16_t)(entry >> 4), ATTR_CODE, 0xFFFF, entry & ~0xFULL);
		data_segs(save, 0, ATTR_DATA, 0xFFFF);
		save->cr0 = CR0_ET_BIT;
		save->rip = entry & 0xF;
		break;
	default:
		return -E_INVAL;
	}
	/* The rest as after RESET: empty LDT, a busy TSS, 64 KiB tables at 0. */
	seg(&save->gdtr, 0, 0, 0xFFFF, 0);
	seg(&save->idtr, 0, 0, 0xFFFF, 0);
	seg(&save->ldtr, 0, SEG_ATTR_TYPE(TYPE_LDT) | SEG_ATTR_P, 0xFFFF, 0);
	seg(&save->tr, 0, SEG_ATTR_TYPE(TYPE_TSS_BUSY) | SEG_ATTR_P, 0xFFFF, 0);
	save->cpl = 0;
	/* VMRUN refuses a guest without SVME; the guest never sees it (svm_state.c). */
	save->efer = SVM_EFER_SVME;
	save->cr2 = 0;
	save->cr3 = 0;
	save->cr4 = 0;
	save->dr6 = DR6_RESET;
	save->dr7 = DR7_RESET;
	save->rflags = RFLAGS_RESERVED_1; /* IF = 0 */
	save->rsp = 0;
	save->rax = 0;
	save->g_pat = SVM_GPAT_POWER_ON;
	return 0;
}
