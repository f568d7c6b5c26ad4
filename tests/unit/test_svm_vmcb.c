/*
 * The SVM backend's VMCB bookkeeping that needs no CPU: event injection and
 * re-delivery (svm_event.c), control registers and segments (svm_state.c),
 * the MSR permission map (svm_msrpm.c) and the start state (svm_start.c).
 */
#include "host_shim.h"

#include <string.h>

#include <plinth/errno.h>

#include "../../arch/x86/svm/svm.h"

static struct vmcb vmcb;
static struct svm_vcpu sv;
static struct vcpu v;

static int setup(void **state)
{
	(void)state;
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&sv, 0, sizeof(sv));
	memset(&v, 0, sizeof(v));
	assert_int_equal(svm_start_state(&vmcb.save, VCPU_START_PROT32, 0x100000), 0);
	sv.vmcb = &vmcb;
	v.backend = &sv;
	v.regs.rip = vmcb.save.rip;
	v.regs.rflags = vmcb.save.rflags;
	return 0;
}

/* One simulated trip: entry bookkeeping, then an exit the "CPU" reports. */
static void trip(uint64_t exitcode, uint64_t exitintinfo)
{
	struct vm_exit e;
	static const struct svm_features f = { .nasid = 16 };

	svm_event_before_entry(&sv);
	vmcb.control.exitcode = exitcode;
	vmcb.control.exitintinfo = exitintinfo;
	svm_exit_decode(&vmcb, &v.regs, &f, &e);
	svm_event_after_exit(&sv, &e);
}

#define EV_INTR(vec) (VMCB_EVENT_V | (uint64_t)(vec))
#define EV_EXC(vec) (VMCB_EVENT_V | 3ULL << 8 | (uint64_t)(vec))
#define EV_SOFT(vec) (VMCB_EVENT_V | 4ULL << 8 | (uint64_t)(vec))

/* ---- inject ------------------------------------------------------------- */

static void test_inject_encoding(void **state)
{
	struct vcpu_event ev = { EVENT_EXTINT, 0x30, false, 0 };
	(void)state;

	assert_int_equal(svm_inject(&v, &ev), 0);
	assert_int_equal(vmcb.control.eventinj, EV_INTR(0x30));
	/* A second one while the first is pending. */
	assert_int_equal(svm_inject(&v, &ev), -E_BUSY);

	vmcb.control.eventinj = 0;
	ev = (struct vcpu_event){ EVENT_EXCEPTION, 13, true, 0x18 };
	assert_int_equal(svm_inject(&v, &ev), 0);
	assert_int_equal(vmcb.control.eventinj, EV_EXC(13) | VMCB_EVENT_EV | 0x18ULL << 32);

	vmcb.control.eventinj = 0;
	ev = (struct vcpu_event){ EVENT_NMI, 0, false, 0 };
	assert_int_equal(svm_inject(&v, &ev), 0);
	assert_int_equal(vmcb.control.eventinj, VMCB_EVENT_V | 2ULL << 8 | 2);

	vmcb.control.eventinj = 0;
	ev = (struct vcpu_event){ EVENT_SOFTINT, 0x80, false, 0 };
	assert_int_equal(svm_inject(&v, &ev), 0);
	assert_int_equal(vmcb.control.eventinj, EV_SOFT(0x80));

	/* What VMRUN would refuse is refused here. */
	vmcb.control.eventinj = 0;
	ev = (struct vcpu_event){ EVENT_EXCEPTION, 2, false, 0 };
	assert_int_equal(svm_inject(&v, &ev), -E_INVAL);
	ev = (struct vcpu_event){ EVENT_EXCEPTION, 32, false, 0 };
	assert_int_equal(svm_inject(&v, &ev), -E_INVAL);
	ev = (struct vcpu_event){ EVENT_EXTINT, 0x30, true, 1 };
	assert_int_equal(svm_inject(&v, &ev), -E_INVAL);
	assert_int_equal(vmcb.control.eventinj, 0);
}

static void test_inject_delivered_clears(void **state)
{
	struct vcpu_event ev = { EVENT_EXTINT, 0x30, false, 0 };
	(void)state;

	assert_int_equal(svm_inject(&v, &ev), 0);
	trip(0x72, 0); /* delivered, then CPUID exited */
	assert_int_equal(vmcb.control.eventinj, 0);
	assert_int_equal(svm_inject(&v, &ev), 0);
}

static void test_softint_return_address(void **state)
{
	struct vcpu_event ev = { EVENT_SOFTINT, 0x21, false, 0 };
	(void)state;

	/* Both TCG (RIP) and NRIP-save CPUs (nRIP) push the same address. */
	vmcb.save.rip = 0x1234;
	vmcb.control.next_rip = 0x9999;
	assert_int_equal(svm_inject(&v, &ev), 0);
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.next_rip, 0x1234);
}

/* ---- EXITINTINFO re-delivery ---------------------------------------------- */

static void test_redeliver_interrupted(void **state)
{
	(void)state;
	/* An NPF while delivering the guest's #PF: delivered again next time. */
	uint64_t pf = EV_EXC(14) | VMCB_EVENT_EV | 2ULL << 32;
	trip(0x400, pf);
	assert_false(svm_irq_ready(&v));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, pf);
	/* That delivery completes: nothing pending any more. */
	trip(0x72, 0);
	assert_int_equal(vmcb.control.eventinj, 0);
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, 0);
}

static void test_redeliver_our_interrupt(void **state)
{
	struct vcpu_event ev = { EVENT_EXTINT, 0x40, false, 0 };
	(void)state;

	v.regs.rflags |= 1u << 9;
	assert_int_equal(svm_inject(&v, &ev), 0);
	/* Delivery hit an NPF (the IDT page): not lost. */
	trip(0x400, EV_INTR(0x40));
	assert_false(svm_irq_ready(&v));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, EV_INTR(0x40));
	trip(0x78, 0);
	assert_true(svm_irq_ready(&v));
}

static void test_core_event_wins(void **state)
{
	struct vcpu_event gp = { EVENT_EXCEPTION, 13, true, 0 };
	(void)state;

	trip(0x400, EV_INTR(0x50));
	/* Core injects something else before the next entry: its event goes in. */
	assert_int_equal(svm_inject(&v, &gp), 0);
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, EV_EXC(13) | VMCB_EVENT_EV);
	trip(0x72, 0);
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, 0);
}

static void test_guest_software_events_reexecute(void **state)
{
	(void)state;
	/* The guest's own INT 0x80, INT3, INTO run again instead (RIP is still at them). */
	trip(0x400, EV_SOFT(0x80));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, 0);
	trip(0x400, EV_EXC(3));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, 0);
	trip(0x400, EV_EXC(4));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, 0);

	/* But a software interrupt core injected is delivered again. */
	struct vcpu_event ev = { EVENT_SOFTINT, 0x80, false, 0 };
	assert_int_equal(svm_inject(&v, &ev), 0);
	trip(0x400, EV_SOFT(0x80));
	svm_event_before_entry(&sv);
	assert_int_equal(vmcb.control.eventinj, EV_SOFT(0x80));
}

static void test_invalid_keeps_eventinj(void **state)
{
	struct vcpu_event ev = { EVENT_EXTINT, 0x30, false, 0 };
	(void)state;

	assert_int_equal(svm_inject(&v, &ev), 0);
	trip(0xFFFFFFFF, 0);
	assert_int_equal(vmcb.control.eventinj, EV_INTR(0x30));
}

/* ---- interrupt readiness and window --------------------------------------- */

static void test_irq_ready(void **state)
{
	(void)state;
	assert_false(svm_irq_ready(&v)); /* IF = 0 at start */
	v.regs.rflags |= 1u << 9;
	assert_true(svm_irq_ready(&v));

	/* STI; HLT: the exit at HLT is in the shadow... */
	vmcb.control.int_state = VMCB_INT_SHADOW;
	assert_false(svm_irq_ready(&v));
	/* ...until core has moved past the HLT. */
	v.regs.rip += 1;
	assert_true(svm_irq_ready(&v));
	v.regs.rip -= 1;

	vmcb.control.int_state = 0;
	vmcb.control.eventinj = EV_EXC(6);
	assert_false(svm_irq_ready(&v));
}

static void test_irq_window(void **state)
{
	(void)state;
	uint32_t base_ctl = vmcb.control.int_ctl = VMCB_INT_V_INTR_MASKING;
	uint32_t base_i1 = vmcb.control.intercept_misc1 = VMCB_I1_INTR | VMCB_I1_HLT;

	svm_irq_window(&v, true);
	assert_true(vmcb.control.int_ctl & VMCB_INT_V_IRQ);
	assert_true(vmcb.control.int_ctl & VMCB_INT_V_IGN_TPR);
	assert_true(vmcb.control.int_ctl & VMCB_INT_V_INTR_MASKING);
	assert_true(vmcb.control.intercept_misc1 & VMCB_I1_VINTR);
	svm_irq_window(&v, false);
	assert_int_equal(vmcb.control.int_ctl, base_ctl);
	assert_int_equal(vmcb.control.intercept_misc1, base_i1);

	/* The VINTR exit turns the window off by itself. */
	svm_irq_window(&v, true);
	trip(0x64, 0);
	assert_int_equal(vmcb.control.int_ctl, base_ctl);
	assert_int_equal(vmcb.control.intercept_misc1, base_i1);
	/* Other exits leave it on. */
	svm_irq_window(&v, true);
	trip(0x72, 0);
	assert_true(vmcb.control.intercept_misc1 & VMCB_I1_VINTR);
}

/* ---- control registers and segments --------------------------------------- */

static void test_cregs(void **state)
{
	(void)state;
	/* SVME is in the VMCB but not in what the guest sees. */
	assert_true(vmcb.save.efer & SVM_EFER_SVME);
	assert_int_equal(svm_creg_read(&v, VCPU_EFER), 0);
	assert_int_equal(svm_creg_write(&v, VCPU_EFER, SVM_EFER_NXE | SVM_EFER_SCE), 0);
	assert_int_equal(vmcb.save.efer, SVM_EFER_NXE | SVM_EFER_SCE | SVM_EFER_SVME);
	assert_int_equal(svm_creg_read(&v, VCPU_EFER), SVM_EFER_NXE | SVM_EFER_SCE);
	assert_int_equal(svm_creg_write(&v, VCPU_EFER, 1ULL << 2), -E_INVAL);
	/* LMA is the CPU's. */
	assert_int_equal(svm_creg_write(&v, VCPU_EFER, SVM_EFER_LMA), 0);
	assert_int_equal(svm_creg_read(&v, VCPU_EFER), 0);
	/* LME may not change while paging is on. */
	vmcb.save.cr0 |= 1ULL << 31;
	assert_int_equal(svm_creg_write(&v, VCPU_EFER, SVM_EFER_LME), -E_INVAL);
	vmcb.save.cr0 &= ~(1ULL << 31);
	assert_int_equal(svm_creg_write(&v, VCPU_EFER, SVM_EFER_LME), 0);

	assert_int_equal(svm_creg_read(&v, VCPU_CR0), 0x11); /* PE | ET */
	assert_int_equal(svm_creg_write(&v, VCPU_CR0, 0x80000001), 0);
	assert_int_equal(svm_creg_read(&v, VCPU_CR0), 0x80000011); /* ET stays */
	assert_int_equal(svm_creg_write(&v, VCPU_CR0, 1ULL << 29), -E_INVAL); /* NW w/o CD */
	assert_int_equal(svm_creg_write(&v, VCPU_CR0, 1ULL << 31), -E_INVAL); /* PG w/o PE */
	assert_int_equal(svm_creg_write(&v, VCPU_CR0, 1ULL << 32 | 1), -E_INVAL);

	assert_int_equal(svm_creg_write(&v, VCPU_CR3, 0x1000), 0);
	assert_int_equal(svm_creg_read(&v, VCPU_CR3), 0x1000);
	assert_int_equal(svm_creg_write(&v, VCPU_CR3, 1ULL << 63), -E_INVAL);
	assert_int_equal(svm_creg_write(&v, VCPU_CR4, 0x20), 0);
	assert_int_equal(svm_creg_read(&v, VCPU_CR4), 0x20);
	assert_int_equal(svm_creg_write(&v, VCPU_CR4, 1ULL << 13), -E_INVAL);
	assert_int_equal(svm_creg_write(&v, VCPU_CR2, 0xDEAD000), 0);
	assert_int_equal(svm_creg_read(&v, VCPU_CR2), 0xDEAD000);
	assert_true(sv.flush_pending); /* paging registers changed */

	assert_int_equal(svm_creg_read(&v, VCPU_PAT), SVM_GPAT_POWER_ON);
	assert_int_equal(svm_creg_write(&v, VCPU_PAT, 0x0007010600070406ULL), 0);
	assert_int_equal(vmcb.save.g_pat, 0x0007010600070406ULL);
	assert_int_equal(svm_creg_write(&v, VCPU_PAT, 0x0007040600070402ULL), -E_INVAL);
	assert_int_equal(svm_creg_write(&v, VCPU_PAT, 0x0807040600070406ULL), -E_INVAL);
}

static void test_segments(void **state)
{
	struct segment s;
	(void)state;

	svm_seg_read(&v, SEG_CS, &s);
	assert_int_equal(s.selector, 0x08);
	assert_int_equal(s.attr, 0xC9B);
	assert_int_equal(s.limit, 0xFFFFFFFF);
	assert_int_equal(s.base, 0);
	svm_seg_read(&v, SEG_SS, &s);
	assert_int_equal(s.attr, 0xC93);
	svm_seg_read(&v, SEG_TR, &s);
	assert_int_equal(s.attr, 0x8B);
	vmcb.save.gdtr.base = 0x5000;
	vmcb.save.gdtr.limit = 0x27;
	svm_seg_read(&v, SEG_GDTR, &s);
	assert_int_equal(s.base, 0x5000);
	assert_int_equal(s.limit, 0x27);
	vmcb.save.fs.base = 0xFFFF888000000000ULL;
	svm_seg_read(&v, SEG_FS, &s);
	assert_int_equal(s.base, 0xFFFF888000000000ULL);
}

/* ---- start state -------------------------------------------------------------- */

static void test_start_prot32(void **state)
{
	struct vmcb_save s;
	const struct vmcb_seg *data[] = { &s.ds, &s.es, &s.ss, &s.fs, &s.gs };
	(void)state;

	memset(&s, 0xEE, sizeof(s));
	assert_int_equal(svm_start_state(&s, VCPU_START_PROT32, 0x100000), 0);
	assert_int_equal(s.rip, 0x100000);
	assert_int_equal(s.cr0, 0x11);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, SVM_EFER_SVME);
	assert_int_equal(s.rflags, 0x2);
	assert_int_equal(s.dr6, 0xFFFF0FF0);
	assert_int_equal(s.dr7, 0x400);
	assert_int_equal(s.g_pat, 0x0007040600070406ULL);
	assert_int_equal(s.cpl, 0);
	assert_int_equal(s.rsp, 0);
	assert_int_equal(s.cs.attr, SEG_ATTR_TYPE(0xB) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G);
	assert_int_equal(s.cs.limit, 0xFFFFFFFF);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(data[i]->attr,
				 SEG_ATTR_TYPE(3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G);
		assert_int_equal(data[i]->limit, 0xFFFFFFFF);
		assert_int_equal(data[i]->base, 0);
	}
	assert_int_equal(s.reserved_0d8[0], 0); /* everything else zero */
	assert_int_equal(svm_start_state(&s, VCPU_START_PROT32, 0x100000000ULL), -E_INVAL);
}

static void test_start_real(void **state)
{
	struct vmcb_save s;
	(void)state;

	assert_int_equal(svm_start_state(&s, VCPU_START_REAL, 0x8000), 0);
	assert_int_equal(s.cs.selector, 0x0800);
	assert_int_equal(s.cs.base, 0x8000);
	assert_int_equal(s.cs.limit, 0xFFFF);
	assert_int_equal(s.rip, 0);
	assert_int_equal(s.cr0, 0x10);
	assert_int_equal(s.ds.selector, 0);
	assert_int_equal(s.ds.base, 0);
	assert_int_equal(s.ds.limit, 0xFFFF);
	assert_int_equal(s.ss.attr, 0x93);
	assert_int_equal(s.efer, SVM_EFER_SVME);
	assert_int_equal(s.rflags, 0x2);
	/* An entry that is not 16-byte aligned: the rest goes into IP. */
	assert_int_equal(svm_start_state(&s, VCPU_START_REAL, 0x7C05), 0);
	assert_int_equal(s.cs.selector, 0x07C0);
	assert_int_equal(s.cs.base, 0x7C00);
	assert_int_equal(s.rip, 5);
	assert_int_equal(svm_start_state(&s, VCPU_START_REAL, 0x100000), -E_INVAL);
}

/* ---- MSR permission map --------------------------------------------------- */

static void test_msrpm(void **state)
{
	static uint8_t map[SVM_MSRPM_BYTES];
	(void)state;

	svm_msrpm_init(map);
	assert_true(svm_msrpm_intercepts(map, 0xC0000100, false));
	assert_true(svm_msrpm_set(map, 0xC0000100, false, false));
	assert_false(svm_msrpm_intercepts(map, 0xC0000100, false));
	assert_false(svm_msrpm_intercepts(map, 0xC0000100, true));
	/* FS_BASE is MSR 0x100 of the second range: byte 0x800 + 0x200/8, bits 0-1. */
	assert_int_equal(map[0x800 + 0x40], 0xFC);
	/* SYSENTER_ESP (0x175) read only: bit 0x2EA in the first range. */
	assert_true(svm_msrpm_set(map, 0x175, false, true));
	assert_int_equal(map[0x5D], 0xFB);
	assert_true(svm_msrpm_intercepts(map, 0x175, true));
	/* The third range. */
	assert_true(svm_msrpm_set(map, 0xC0011FFF, false, false));
	assert_int_equal(map[0x17FF], 0x3F);
	/* Outside the map: always intercepted, cannot be passed through. */
	assert_false(svm_msrpm_set(map, 0x2000, false, false));
	assert_false(svm_msrpm_set(map, 0xC0002000, false, false));
	assert_true(svm_msrpm_intercepts(map, 0x40000000, false));
	/* Neighbours are untouched. */
	assert_true(svm_msrpm_intercepts(map, 0xC0000101, false));
	assert_true(svm_msrpm_intercepts(map, 0x174, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_inject_encoding, setup),
		cmocka_unit_test_setup(test_inject_delivered_clears, setup),
		cmocka_unit_test_setup(test_softint_return_address, setup),
		cmocka_unit_test_setup(test_redeliver_interrupted, setup),
		cmocka_unit_test_setup(test_redeliver_our_interrupt, setup),
		cmocka_unit_test_setup(test_core_event_wins, setup),
		cmocka_unit_test_setup(test_guest_software_events_reexecute, setup),
		cmocka_unit_test_setup(test_invalid_keeps_eventinj, setup),
		cmocka_unit_test_setup(test_irq_ready, setup),
		cmocka_unit_test_setup(test_irq_window, setup),
		cmocka_unit_test_setup(test_cregs, setup),
		cmocka_unit_test_setup(test_segments, setup),
		cmocka_unit_test_setup(test_start_prot32, setup),
		cmocka_unit_test_setup(test_start_real, setup),
		cmocka_unit_test_setup(test_msrpm, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
