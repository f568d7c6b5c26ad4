/*
 * crash: says hello with its guest id and a fresh marker check, then dies of
 * a triple fault. With on_crash = "restart" Plinth starts it again from its
 * image with fresh memory, so every boot must find its RAM zeroed (no marker
 * from the previous life) and report the same id.
 */
#include "guest.h"

#define MARKER 0x48534152435F4C50ull /* "PL_CRASH" */
#define MARKER_GPA 0x400000ull       /* 4 MiB: inside RAM, away from the image */

void guest_main(void)
{
	bool fresh = read64(MARKER_GPA) == 0;

	write64(MARKER_GPA, MARKER);
	check(fresh, "crash-fresh-ram", "RAM at %#llx is zero at boot (guest id %ld)",
	      (unsigned long long)MARKER_GPA, hc_guest_id());
	report_result();

	static const struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };
	/* UD2 -> #UD: no gate -> #GP -> no gate -> #DF -> no gate: shutdown. */
	asm volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
	for (;;)
		asm volatile("cli; hlt");
}
