/*
 * realmode, second part: runs in 64-bit mode after realmode16.S went from
 * real mode to protected mode and entry.S on to long mode.
 */
#include "guest.h"

#define EFER_LMA (1u << 10)

/* Recorded in real mode by realmode16.S. */
extern uint32_t rm_eax, rm_ebx, rm_hc_len, rm_hc_ret;
extern uint16_t rm_cs;
extern uint8_t rm_insn;

void guest_main(void)
{
	bool start_ok = rm_eax == GUEST_START_MAGIC && rm_cs == 0x0800;
	uint64_t efer = 0;
	uint16_t cs;

	/* realmode16.S printed realmode-start itself: count it. */
	count_result(start_ok);
	if (!start_ok)
		say("realmode: at the first instruction EAX %#x, CS %#x", rm_eax, rm_cs);

	check(rm_hc_ret == rm_hc_len, "realmode-hypercall",
	      "HC_CONSOLE_WRITE (%s) from real mode returned %d, want %u",
	      rm_insn == HC_INSN_VMMCALL ? "VMMCALL" : "VMCALL", (int)rm_hc_ret, rm_hc_len);

	int v = rdmsr_trap(MSR_EFER, &efer);

	asm volatile("mov %%cs, %0" : "=r"(cs));
	check(v < 0 && (efer & EFER_LMA), "realmode-long",
	      "printing from 64-bit mode: EFER %#llx, CS %#x, RAM %u KiB (EBX at start)",
	      (unsigned long long)efer, cs, rm_ebx);
}
