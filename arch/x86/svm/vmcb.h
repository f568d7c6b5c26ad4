/*
 * The VMCB: one 4 KiB page, a control area at 0x000 and the guest state
 * save area at 0x400 (AMD APM vol. 2, appendix B). The structs mirror the
 * hardware layout byte for byte; the _Static_asserts at the end pin every
 * field Plinth touches to the offset the manual gives.
 */
#ifndef PLINTH_SVM_VMCB_H
#define PLINTH_SVM_VMCB_H

#include <plinth/types.h>

/* ---- Control area (appendix B, table B-1) ------------------------------- */

struct vmcb_control {
	uint32_t intercept_cr;      /* 0x000: CR reads (15:0), writes (31:16) */
	uint32_t intercept_dr;      /* 0x004: DR reads (15:0), writes (31:16) */
	uint32_t intercept_exc;     /* 0x008: one bit per exception vector */
	uint32_t intercept_misc1;   /* 0x00C: VMCB_I1_* */
	uint32_t intercept_misc2;   /* 0x010: VMCB_I2_* */
	uint32_t intercept_misc3;   /* 0x014: INVLPGB, INVPCID, ... */
	uint8_t reserved_018[0x03C - 0x018];
	uint16_t pause_filter_thresh; /* 0x03C */
	uint16_t pause_filter_count;  /* 0x03E */
	uint64_t iopm_base_pa;      /* 0x040 */
	uint64_t msrpm_base_pa;     /* 0x048 */
	uint64_t tsc_offset;        /* 0x050 */
	uint32_t asid;              /* 0x058 */
	uint8_t tlb_control;        /* 0x05C: VMCB_TLB_* */
	uint8_t reserved_05d[3];
	uint32_t int_ctl;           /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint32_t int_vector;        /* 0x064: V_INTR_VECTOR (7:0) */
	uint64_t int_state;         /* 0x068: interrupt shadow (bit 0) */
	uint64_t exitcode;          /* 0x070 */
	uint64_t exitinfo1;         /* 0x078 */
	uint64_t exitinfo2;         /* 0x080 */
	uint64_t exitintinfo;       /* 0x088: same format as eventinj */
	uint64_t np_control;        /* 0x090: NP_ENABLE (bit 0), SEV, ... */
	uint64_t avic_apic_bar;     /* 0x098 */
	uint64_t ghcb_pa;           /* 0x0A0 */
	uint64_t eventinj;          /* 0x0A8: VMCB_EVENT_* */
	uint64_t n_cr3;             /* 0x0B0: nested page table root */
	uint64_t virt_ext;          /* 0x0B8: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;             /* 0x0C0: VMCB clean bits */
	uint32_t reserved_0c4;
	uint64_t next_rip;          /* 0x0C8: nRIP (with NRIP save) */
	uint8_t insn_len;           /* 0x0D0: decode assists */
	uint8_t insn_bytes[15];     /* 0x0D1 */
	uint64_t avic_backing_page; /* 0x0E0 */
	uint8_t reserved_0e8[8];
	uint64_t avic_logical_table;  /* 0x0F0 */
	uint64_t avic_physical_table; /* 0x0F8 */
	uint8_t reserved_100[8];
	uint64_t vmsa_pa;           /* 0x108: SEV-ES */
	uint8_t reserved_110[0x3E0 - 0x110];
	uint8_t host_use[0x400 - 0x3E0]; /* 0x3E0: reserved for host usage */
};

/* A segment register as the VMCB holds it: attr is the packed 12-bit form. */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

/* ---- State save area (appendix B, table B-2; offsets from 0x400) -------- */

struct vmcb_save {
	struct vmcb_seg es;   /* 0x000 */
	struct vmcb_seg cs;   /* 0x010 */
	struct vmcb_seg ss;   /* 0x020 */
	struct vmcb_seg ds;   /* 0x030 */
	struct vmcb_seg fs;   /* 0x040 */
	struct vmcb_seg gs;   /* 0x050 */
	struct vmcb_seg gdtr; /* 0x060: limit and base only */
	struct vmcb_seg ldtr; /* 0x070 */
	struct vmcb_seg idtr; /* 0x080: limit and base only */
	struct vmcb_seg tr;   /* 0x090 */
	uint8_t reserved_0a0[0x0CB - 0x0A0];
	uint8_t cpl;          /* 0x0CB */
	uint32_t reserved_0cc;
	uint64_t efer;        /* 0x0D0 */
	uint8_t reserved_0d8[0x148 - 0x0D8];
	uint64_t cr4;         /* 0x148 */
	uint64_t cr3;         /* 0x150 */
	uint64_t cr0;         /* 0x158 */
	uint64_t dr7;         /* 0x160 */
	uint64_t dr6;         /* 0x168 */
	uint64_t rflags;      /* 0x170 */
	uint64_t rip;         /* 0x178 */
	uint8_t reserved_180[0x1D8 - 0x180];
	uint64_t rsp;         /* 0x1D8 */
	uint64_t s_cet;       /* 0x1E0 */
	uint64_t ssp;         /* 0x1E8 */
	uint64_t isst_addr;   /* 0x1F0 */
	uint64_t rax;         /* 0x1F8 */
	uint64_t star;        /* 0x200 */
	uint64_t lstar;       /* 0x208 */
	uint64_t cstar;       /* 0x210 */
	uint64_t sfmask;      /* 0x218 */
	uint64_t kernel_gs_base; /* 0x220 */
	uint64_t sysenter_cs;    /* 0x228 */
	uint64_t sysenter_esp;   /* 0x230 */
	uint64_t sysenter_eip;   /* 0x238 */
	uint64_t cr2;         /* 0x240 */
	uint8_t reserved_248[0x268 - 0x248];
	uint64_t g_pat;       /* 0x268: guest PAT, used with nested paging */
	uint64_t dbgctl;      /* 0x270 */
	uint64_t br_from;     /* 0x278 */
	uint64_t br_to;       /* 0x280 */
	uint64_t last_excp_from; /* 0x288 */
	uint64_t last_excp_to;   /* 0x290 */
	uint8_t reserved_298[0xC00 - 0x298];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

/* ---- Intercept bits ------------------------------------------------------ */

/* intercept_misc1 (0x00C) */
#define VMCB_I1_INTR (1u << 0)
#define VMCB_I1_NMI (1u << 1)
#define VMCB_I1_SMI (1u << 2)
#define VMCB_I1_INIT (1u << 3)
#define VMCB_I1_VINTR (1u << 4)
#define VMCB_I1_CPUID (1u << 18)
#define VMCB_I1_HLT (1u << 24)
#define VMCB_I1_INVLPGA (1u << 26)
#define VMCB_I1_IOIO_PROT (1u << 27)
#define VMCB_I1_MSR_PROT (1u << 28)
#define VMCB_I1_SHUTDOWN (1u << 31)

/* intercept_misc2 (0x010) */
#define VMCB_I2_VMRUN (1u << 0)
#define VMCB_I2_VMMCALL (1u << 1)
#define VMCB_I2_VMLOAD (1u << 2)
#define VMCB_I2_VMSAVE (1u << 3)
#define VMCB_I2_STGI (1u << 4)
#define VMCB_I2_CLGI (1u << 5)
#define VMCB_I2_SKINIT (1u << 6)

/* ---- Other control fields ------------------------------------------------ */

/* tlb_control values (APM 15.16.1); 3 and 7 need flush-by-ASID. */
#define VMCB_TLB_NONE 0
#define VMCB_TLB_FLUSH_ALL 1
#define VMCB_TLB_FLUSH_ASID 3
#define VMCB_TLB_FLUSH_ASID_NONGLOBAL 7

/* int_ctl (0x060) */
#define VMCB_INT_V_TPR_MASK 0xFFu
#define VMCB_INT_V_IRQ (1u << 8)
#define VMCB_INT_V_INTR_PRIO_MASK (0xFu << 16)
#define VMCB_INT_V_IGN_TPR (1u << 20)
#define VMCB_INT_V_INTR_MASKING (1u << 24)

/* int_state (0x068) */
#define VMCB_INT_SHADOW (1ULL << 0)

/* np_control (0x090) */
#define VMCB_NP_ENABLE (1ULL << 0)

/* eventinj / exitintinfo (APM 15.20, 15.7.2) */
#define VMCB_EVENT_VECTOR_MASK 0xFFULL
#define VMCB_EVENT_TYPE_SHIFT 8
#define VMCB_EVENT_TYPE_MASK (7ULL << VMCB_EVENT_TYPE_SHIFT)
#define VMCB_EVENT_TYPE_INTR 0
#define VMCB_EVENT_TYPE_NMI 2
#define VMCB_EVENT_TYPE_EXCEPTION 3
#define VMCB_EVENT_TYPE_SOFTINT 4
#define VMCB_EVENT_EV (1ULL << 11)          /* error code valid */
#define VMCB_EVENT_RESERVED (0x7FFFFULL << 12) /* bits 30:12 */
#define VMCB_EVENT_V (1ULL << 31)
#define VMCB_EVENT_ERRCODE_SHIFT 32

static inline unsigned vmcb_event_type(uint64_t e)
{
	return (unsigned)((e & VMCB_EVENT_TYPE_MASK) >> VMCB_EVENT_TYPE_SHIFT);
}

/* ---- Exit codes (appendix C) --------------------------------------------- */

#define SVM_EXIT_EXCP_BASE 0x040 /* + vector, 0x40..0x5F */
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_SMI 0x062
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07A
#define SVM_EXIT_IOIO 0x07B
#define SVM_EXIT_MSR 0x07C
#define SVM_EXIT_SHUTDOWN 0x07F
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_NPF 0x400
/* -1; QEMU TCG stores only 32 bits of it, so compare the low half. */
#define SVM_EXIT_INVALID 0xFFFFFFFFu

/* IOIO EXITINFO1 (APM 15.10.2) */
#define SVM_IOIO_IN (1u << 0)
#define SVM_IOIO_STR (1u << 2)
#define SVM_IOIO_REP (1u << 3)
#define SVM_IOIO_SZ8 (1u << 4)
#define SVM_IOIO_SZ16 (1u << 5)
#define SVM_IOIO_SZ32 (1u << 6)
#define SVM_IOIO_PORT_SHIFT 16

/* NPF EXITINFO1: a #PF-style error code (APM 15.25.6) */
#define SVM_NPF_P (1ULL << 0)
#define SVM_NPF_RW (1ULL << 1)
#define SVM_NPF_US (1ULL << 2)
#define SVM_NPF_RSV (1ULL << 3)
#define SVM_NPF_ID (1ULL << 4)

/* ---- Layout checks -------------------------------------------------------- */

#define VMCB_CHECK(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field " at " #off)

VMCB_CHECK(vmcb_control, intercept_cr, 0x000);
VMCB_CHECK(vmcb_control, intercept_dr, 0x004);
VMCB_CHECK(vmcb_control, intercept_exc, 0x008);
VMCB_CHECK(vmcb_control, intercept_misc1, 0x00C);
VMCB_CHECK(vmcb_control, intercept_misc2, 0x010);
VMCB_CHECK(vmcb_control, intercept_misc3, 0x014);
VMCB_CHECK(vmcb_control, pause_filter_thresh, 0x03C);
VMCB_CHECK(vmcb_control, pause_filter_count, 0x03E);
VMCB_CHECK(vmcb_control, iopm_base_pa, 0x040);
VMCB_CHECK(vmcb_control, msrpm_base_pa, 0x048);
VMCB_CHECK(vmcb_control, tsc_offset, 0x050);
VMCB_CHECK(vmcb_control, asid, 0x058);
VMCB_CHECK(vmcb_control, tlb_control, 0x05C);
VMCB_CHECK(vmcb_control, int_ctl, 0x060);
VMCB_CHECK(vmcb_control, int_vector, 0x064);
VMCB_CHECK(vmcb_control, int_state, 0x068);
VMCB_CHECK(vmcb_control, exitcode, 0x070);
VMCB_CHECK(vmcb_control, exitinfo1, 0x078);
VMCB_CHECK(vmcb_control, exitinfo2, 0x080);
VMCB_CHECK(vmcb_control, exitintinfo, 0x088);
VMCB_CHECK(vmcb_control, np_control, 0x090);
VMCB_CHECK(vmcb_control, avic_apic_bar, 0x098);
VMCB_CHECK(vmcb_control, ghcb_pa, 0x0A0);
VMCB_CHECK(vmcb_control, eventinj, 0x0A8);
VMCB_CHECK(vmcb_control, n_cr3, 0x0B0);
VMCB_CHECK(vmcb_control, virt_ext, 0x0B8);
VMCB_CHECK(vmcb_control, clean, 0x0C0);
VMCB_CHECK(vmcb_control, next_rip, 0x0C8);
VMCB_CHECK(vmcb_control, insn_len, 0x0D0);
VMCB_CHECK(vmcb_control, insn_bytes, 0x0D1);
VMCB_CHECK(vmcb_control, avic_backing_page, 0x0E0);
VMCB_CHECK(vmcb_control, avic_logical_table, 0x0F0);
VMCB_CHECK(vmcb_control, avic_physical_table, 0x0F8);
VMCB_CHECK(vmcb_control, vmsa_pa, 0x108);
VMCB_CHECK(vmcb_control, host_use, 0x3E0);
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 1 KiB");

_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment is 16 bytes");
VMCB_CHECK(vmcb_seg, selector, 0);
VMCB_CHECK(vmcb_seg, attr, 2);
VMCB_CHECK(vmcb_seg, limit, 4);
VMCB_CHECK(vmcb_seg, base, 8);

/* Save-area offsets as the manual lists them: from the start of the VMCB. */
VMCB_CHECK(vmcb, save.es, 0x400);
VMCB_CHECK(vmcb, save.cs, 0x410);
VMCB_CHECK(vmcb, save.ss, 0x420);
VMCB_CHECK(vmcb, save.ds, 0x430);
VMCB_CHECK(vmcb, save.fs, 0x440);
VMCB_CHECK(vmcb, save.gs, 0x450);
VMCB_CHECK(vmcb, save.gdtr, 0x460);
VMCB_CHECK(vmcb, save.ldtr, 0x470);
VMCB_CHECK(vmcb, save.idtr, 0x480);
VMCB_CHECK(vmcb, save.tr, 0x490);
VMCB_CHECK(vmcb, save.cpl, 0x4CB);
VMCB_CHECK(vmcb, save.efer, 0x4D0);
VMCB_CHECK(vmcb, save.cr4, 0x548);
VMCB_CHECK(vmcb, save.cr3, 0x550);
VMCB_CHECK(vmcb, save.cr0, 0x558);
VMCB_CHECK(vmcb, save.dr7, 0x560);
VMCB_CHECK(vmcb, save.dr6, 0x568);
VMCB_CHECK(vmcb, save.rflags, 0x570);
VMCB_CHECK(vmcb, save.rip, 0x578);
VMCB_CHECK(vmcb, save.rsp, 0x5D8);
VMCB_CHECK(vmcb, save.s_cet, 0x5E0);
VMCB_CHECK(vmcb, save.ssp, 0x5E8);
VMCB_CHECK(vmcb, save.isst_addr, 0x5F0);
VMCB_CHECK(vmcb, save.rax, 0x5F8);
VMCB_CHECK(vmcb, save.star, 0x600);
VMCB_CHECK(vmcb, save.lstar, 0x608);
VMCB_CHECK(vmcb, save.cstar, 0x610);
VMCB_CHECK(vmcb, save.sfmask, 0x618);
VMCB_CHECK(vmcb, save.kernel_gs_base, 0x620);
VMCB_CHECK(vmcb, save.sysenter_cs, 0x628);
VMCB_CHECK(vmcb, save.sysenter_esp, 0x630);
VMCB_CHECK(vmcb, save.sysenter_eip, 0x638);
VMCB_CHECK(vmcb, save.cr2, 0x640);
VMCB_CHECK(vmcb, save.g_pat, 0x668);
VMCB_CHECK(vmcb, save.dbgctl, 0x670);
VMCB_CHECK(vmcb, save.br_from, 0x678);
VMCB_CHECK(vmcb, save.br_to, 0x680);
VMCB_CHECK(vmcb, save.last_excp_from, 0x688);
VMCB_CHECK(vmcb, save.last_excp_to, 0x690);
_Static_assert(sizeof(struct vmcb) == PAGE_SIZE, "VMCB is one page");

#undef VMCB_CHECK

#endif
