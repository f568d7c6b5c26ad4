/*
 * isolation: booted twice (e.g. iso1 and iso2). Each instance writes markers
 * holding its guest id at several places in its RAM, yields so the other one
 * writes too, then scans all of its guest-physical RAM: it must find its own
 * markers, intact, and none with another guest's id.
 */
#include "guest.h"

#define MARKER_MAGIC 0x4B52414D4F534950ull /* "PISOMARK" */
#define MARKERS 8
#define YIELDS 5
#define DECOY_ID (~0ull) /* no guest has it: proves the scan finds markers */

/* Valid only with the right check word, so stray copies of MAGIC do not count. */
struct marker {
	uint64_t magic;
	uint64_t id;
	uint64_t nonce;
	uint64_t check;
};

static uint64_t marker_check(uint64_t id, uint64_t nonce)
{
	return mix64(MARKER_MAGIC ^ mix64(id) ^ nonce);
}

/* Slot k: spread over RAM at varied page offsets; the last at RAM's very end. */
static uint64_t marker_gpa(unsigned k)
{
	uint64_t gpa = k == MARKERS - 1 ? ram_bytes() - sizeof(struct marker) :
					  ram_bytes() / MARKERS * k + 0x1000 + 0x48 * k;

	if (gpa + sizeof(struct marker) > (uint64_t)__image_start && gpa < (uint64_t)__bss_end)
		gpa = (uint64_t)__bss_end + 0x48 * k; /* not over this guest's own image */
	return gpa;
}

static void write_marker(uint64_t gpa, uint64_t id, uint64_t nonce)
{
	write64(gpa, MARKER_MAGIC);
	write64(gpa + 8, id);
	write64(gpa + 16, nonce);
	write64(gpa + 24, marker_check(id, nonce));
}

static bool is_marker(uint64_t gpa, uint64_t *id)
{
	if (read64(gpa) != MARKER_MAGIC || gpa + sizeof(struct marker) > ram_bytes())
		return false;
	*id = read64(gpa + 8);
	return read64(gpa + 24) == marker_check(*id, read64(gpa + 16));
}

void guest_main(void)
{
	long id = hc_guest_id();
	uint64_t nonce = mix64(rdtsc() ^ ((uint64_t)id << 48));

	say("isolation: guest id %ld, nonce %#llx, RAM %u KiB", id, (unsigned long long)nonce,
	    rt_boot_ebx);
	check(id >= 1, "iso-guest-id", "HC_GUEST_ID = %ld", id);

	for (unsigned k = 0; k < MARKERS; k++)
		write_marker(marker_gpa(k), (uint64_t)id, nonce);
	write_marker(ram_bytes() / 2 + 0x2000 + 0x18, DECOY_ID, nonce);

	/* Let the other instance write its markers. */
	unsigned bad_yield = 0;

	for (unsigned i = 0; i < YIELDS; i++)
		bad_yield += hc_yield() != 0;
	check(bad_yield == 0, "iso-yield", "%u HC_YIELDs, %u did not return 0", YIELDS, bad_yield);

	unsigned intact = 0;

	for (unsigned k = 0; k < MARKERS; k++) {
		uint64_t gpa = marker_gpa(k), mid;

		intact += is_marker(gpa, &mid) && mid == (uint64_t)id && read64(gpa + 16) == nonce;
	}
	check(intact == MARKERS, "iso-own-intact", "%u of %u markers unchanged after yielding",
	      intact, MARKERS);

	/* Every 8-byte-aligned word of guest RAM. */
	unsigned own = 0, foreign = 0, decoys = 0;
	uint64_t first_gpa = 0, first_id = 0;

	for (uint64_t gpa = 0; gpa < ram_bytes(); gpa += 8) {
		uint64_t mid;

		if (!is_marker(gpa, &mid))
			continue;
		if (mid == (uint64_t)id) {
			own++;
		} else if (mid == DECOY_ID) {
			decoys++;
		} else if (foreign++ == 0) {
			first_gpa = gpa;
			first_id = mid;
		}
	}
	check(decoys == 1, "iso-scan-works", "the scan found %u of 1 planted marker of a fake guest",
	      decoys);
	check(foreign == 0, "iso-no-foreign",
	      "scanned %u KiB: %u marker(s) of other guests (first at %#llx, guest %llu)",
	      rt_boot_ebx, foreign, (unsigned long long)first_gpa, (unsigned long long)first_id);
	check(own >= MARKERS, "iso-own-found", "found %u marker(s) of guest %ld (wrote %u)", own,
	      id, MARKERS);

	/* Just past RAM (where another guest's memory might sit in the host). */
	uint64_t probes[] = { ram_bytes(), ram_bytes() + 0x100000, 2 * ram_bytes() };
	unsigned bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		uint64_t v = 0;

		if (probes[i] >= GiB(4)) /* beyond the identity map */
			continue;
		int e = TRY_ASM("movq (%%rdx), %%rax", : "=a"(v) : "d"(probes[i]) : "memory");

		bad += e >= 0 || v != ~0ull;
	}
	check(bad == 0, "iso-beyond-ram", "%u of %zu reads past RAM (%#llx, +1 MiB, 2x) not all ones",
	      bad, ARRAY_SIZE(probes), (unsigned long long)ram_bytes());
}
