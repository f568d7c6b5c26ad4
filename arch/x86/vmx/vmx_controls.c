/*
 * Choosing the control words (SDM vol. 3C, 25.6-25.8; appendix A.3-A.5 for
 * how the capability MSRs state the allowed settings).
 *
 * Policy (docs/interception.md): physical interrupts and NMIs exit (the host
 * takes them; acknowledge-on-exit stays off so the host's IDT sees them),
 * HLT exits, every port exits (I/O bitmaps of all ones), MSRs exit except the
 * ones in the MSR bitmap's passthrough list (vmx_vcpu.c). EPT, VPID and
 * unrestricted guest come from the secondary controls. EFER and PAT are
 * switched by the CPU on entry and exit; IA-32e mode guest follows the
 * guest's EFER.LMA before every entry (vmx_run.c).
 */
#define LOG_TAG "vmx"
#include <plinth/errno.h>
#include <plinth/log.h>

#include "vmcs_fields.h"
#include "vmx_caps.h"
#include "vmx_controls.h"

struct bit_name {
	const char *word;
	unsigned bit;
	const char *name;
};

static const struct bit_name names[] = {
	{ "pin-based", 0, "external-interrupt exiting" },
	{ "pin-based", 3, "NMI exiting" },
	{ "pin-based", 6, "activate VMX-preemption timer" },
	{ "primary processor-based", 2, "interrupt-window exiting" },
	{ "primary processor-based", 3, "use TSC offsetting" },
	{ "primary processor-based", 7, "HLT exiting" },
	{ "primary processor-based", 25, "use I/O bitmaps" },
	{ "primary processor-based", 28, "use MSR bitmaps" },
	{ "primary processor-based", 31, "activate secondary controls" },
	{ "secondary processor-based", 1, "enable EPT" },
	{ "secondary processor-based", 3, "enable RDTSCP" },
	{ "secondary processor-based", 5, "enable VPID" },
	{ "secondary processor-based", 7, "unrestricted guest" },
	{ "secondary processor-based", 12, "enable INVPCID" },
	{ "VM-exit", 9, "host address-space size" },
	{ "VM-exit", 15, "acknowledge interrupt on exit" },
	{ "VM-exit", 18, "save IA32_PAT" },
	{ "VM-exit", 19, "load IA32_PAT" },
	{ "VM-exit", 20, "save IA32_EFER" },
	{ "VM-exit", 21, "load IA32_EFER" },
	{ "VM-entry", 9, "IA-32e mode guest" },
	{ "VM-entry", 14, "load IA32_PAT" },
	{ "VM-entry", 15, "load IA32_EFER" },
};

static bool same_word(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const char *vmx_ctl_bit_name(const char *what, unsigned bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].bit == bit && same_word(names[i].word, what))
			return names[i].name;
	return "(unnamed)";
}

int vmx_ctl_word(const char *what, uint64_t cap, uint32_t required, uint32_t wanted,
		 uint32_t runtime, uint32_t *out)
{
	uint32_t must_be_one = (uint32_t)cap;
	uint32_t may_be_one = (uint32_t)(cap >> 32);
	uint32_t lacking = (required | runtime) & ~may_be_one;
	int err = 0;

	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(lacking & (1u << bit)))
			continue;
		log_error("this CPU lacks the %s control '%s' (bit %u), which Plinth requires",
			  what, vmx_ctl_bit_name(what, bit), bit);
		err = -E_NOTSUP;
	}
	*out = ((required | wanted) & may_be_one) | must_be_one;
	return err;
}

int vmx_controls_compute(const struct vmx_ctl_caps *caps, struct vmx_controls *out)
{
	int err = 0;

	err |= vmx_ctl_word("pin-based", caps->pin, PIN_EXTINT_EXITING | PIN_NMI_EXITING,
			    PIN_PREEMPTION_TIMER, 0, &out->pin);
	err |= vmx_ctl_word("primary processor-based", caps->proc,
			    PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
				    PROC_ACTIVATE_SECONDARY | PROC_USE_TSC_OFFSETTING,
			    0, PROC_IRQ_WINDOW_EXITING, &out->proc);
	err |= vmx_ctl_word("secondary processor-based", caps->proc2,
			    PROC2_EPT | PROC2_UNRESTRICTED_GUEST,
			    PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID, 0, &out->proc2);
	err |= vmx_ctl_word("VM-exit", caps->exit,
			    EXIT_HOST_ADDR64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT |
				    EXIT_LOAD_PAT,
			    0, 0, &out->exit);
	err |= vmx_ctl_word("VM-entry", caps->entry, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT, 0,
			    ENTRY_IA32E_GUEST, &out->entry);
	if (out->exit & EXIT_ACK_INTERRUPT) {
		log_error("this CPU forces the VM-exit control 'acknowledge interrupt on exit' on; "
			  "the host could not take interrupts through its IDT");
		err = -E_NOTSUP;
	}
	return err ? -E_NOTSUP : 0;
}
