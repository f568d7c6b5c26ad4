/*
 * The VM-execution, exit and entry controls Plinth runs guests with,
 * computed from the capability MSRs (SDM vol. 3D, A.3-A.5). Pure, so the
 * host unit test can feed it any MSR values.
 */
#ifndef PLINTH_VMX_CONTROLS_H
#define PLINTH_VMX_CONTROLS_H

#include <plinth/types.h>

/* Raw capability MSRs: low half = bits that must be 1, high half = bits that may be 1. */
struct vmx_ctl_caps {
	uint64_t pin, proc, proc2, exit, entry;
};

struct vmx_controls {
	uint32_t pin, proc, proc2, exit, entry;
};

/*
 * One control word: (required | wanted) & allowed1 | allowed0. Every
 * required bit the CPU cannot set is logged by name ("this CPU lacks the
 * primary processor-based control 'HLT exiting'") and makes it -E_NOTSUP.
 * Bits in `runtime` must be settable but start clear (unless forced on).
 */
int vmx_ctl_word(const char *what, uint64_t cap, uint32_t required, uint32_t wanted,
		 uint32_t runtime, uint32_t *out);

/* All five words; -E_NOTSUP (after logging each missing control) if one is missing. */
int vmx_controls_compute(const struct vmx_ctl_caps *caps, struct vmx_controls *out);

/* Name of a control bit in a control word, for messages ("bit N" if unnamed). */
const char *vmx_ctl_bit_name(const char *what, unsigned bit);

#endif
