/*
 * Usable RAM from the boot memory map. The input is small (at most a few
 * hundred regions) and read once at boot, so this favours obviously-correct
 * over fast: it walks upward through the address space, at each step finding
 * the lowest address that is usable and not excluded, then how far that run
 * extends. That needs no sorting and no scratch memory, and copes with any
 * mix of unsorted and overlapping input.
 */
#define LOG_TAG "mm"
#include <plinth/memmap.h>

struct span {
	uint64_t base;
	uint64_t end; /* exclusive; saturates at UINT64_MAX */
};

struct memmap_input {
	const struct mem_region *mem;
	size_t mem_count;
	const struct mem_range *reserved;
	size_t reserved_count;
};

static struct span span_of(uint64_t base, uint64_t size)
{
	struct span s = { base, base + size };

	if (size > UINT64_MAX - base)
		s.end = UINT64_MAX;
	return s;
}

static bool span_contains(struct span s, uint64_t x)
{
	return s.base <= x && x < s.end;
}

static bool is_usable_region(const struct memmap_input *in, size_t i)
{
	return in->mem[i].type == MEM_USABLE;
}

/* Spans that remove memory: non-usable regions, then the reserved list. */
static size_t excluded_count(const struct memmap_input *in)
{
	return in->mem_count + in->reserved_count;
}

/* Empty spans are skipped: their base must not cut a run in two. */
static bool excluded_span(const struct memmap_input *in, size_t i,
			  struct span *out)
{
	if (i < in->mem_count) {
		if (is_usable_region(in, i))
			return false;
		*out = span_of(in->mem[i].base, in->mem[i].size);
	} else {
		i -= in->mem_count;
		*out = span_of(in->reserved[i].base, in->reserved[i].size);
	}
	return out->base < out->end;
}

static bool is_covered(const struct memmap_input *in, uint64_t x)
{
	for (size_t i = 0; i < in->mem_count; i++)
		if (is_usable_region(in, i) &&
		    span_contains(span_of(in->mem[i].base, in->mem[i].size), x))
			return true;
	return false;
}

static bool is_excluded(const struct memmap_input *in, uint64_t x)
{
	struct span s;

	for (size_t i = 0; i < excluded_count(in); i++)
		if (excluded_span(in, i, &s) && span_contains(s, x))
			return true;
	return false;
}

static bool is_good(const struct memmap_input *in, uint64_t x)
{
	return is_covered(in, x) && !is_excluded(in, x);
}

static void consider(const struct memmap_input *in, uint64_t c,
		     uint64_t cursor, bool *found, uint64_t *best)
{
	if (c < cursor || (*found && c >= *best) || !is_good(in, c))
		return;
	*found = true;
	*best = c;
}

/*
 * The lowest good address >= cursor. Just below it memory is bad, so it is
 * the cursor itself, the base of a usable region or the end of an excluded
 * span: only those candidates need checking.
 */
static bool next_good(const struct memmap_input *in, uint64_t cursor,
		      uint64_t *out)
{
	bool found = false;
	struct span s;

	consider(in, cursor, cursor, &found, out);
	for (size_t i = 0; i < in->mem_count; i++)
		if (is_usable_region(in, i))
			consider(in, in->mem[i].base, cursor, &found, out);
	for (size_t i = 0; i < excluded_count(in); i++)
		if (excluded_span(in, i, &s))
			consider(in, s.end, cursor, &found, out);
	return found;
}

/* Where the good run starting at the good address `start` ends. */
static uint64_t run_end(const struct memmap_input *in, uint64_t start)
{
	uint64_t end = start;
	bool grew = true;
	struct span s;

	/* Follow chains of touching or overlapping usable regions. */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < in->mem_count; i++) {
			if (!is_usable_region(in, i))
				continue;
			s = span_of(in->mem[i].base, in->mem[i].size);
			if (s.base <= end && end < s.end) {
				end = s.end;
				grew = true;
			}
		}
	}
	/* `start` is not excluded, so the first exclusion above it cuts. */
	for (size_t i = 0; i < excluded_count(in); i++)
		if (excluded_span(in, i, &s) && s.base > start && s.base < end)
			end = s.base;
	return end;
}

size_t memmap_usable(const struct boot_info *bi,
		     const struct mem_range *reserved, size_t reserved_count,
		     struct mem_range *out, size_t out_max)
{
	struct memmap_input in = {
		.mem = bi->mem,
		.mem_count = MIN(bi->mem_count, (size_t)BOOT_MAX_MEM_REGIONS),
		.reserved = reserved,
		.reserved_count = reserved ? reserved_count : 0,
	};
	uint64_t cursor = MEMMAP_LOW_LIMIT, start = 0;
	size_t count = 0;

	while (cursor < UINT64_MAX && next_good(&in, cursor, &start)) {
		uint64_t end = run_end(&in, start);
		uint64_t base = ALIGN_UP(start, PAGE_SIZE);
		uint64_t limit = ALIGN_DOWN(end, PAGE_SIZE);

		/* Runs are separated by bad bytes, so aligned ones never touch. */
		if (start <= UINT64_MAX - (PAGE_SIZE - 1) && base < limit) {
			if (count < out_max) {
				out[count].base = base;
				out[count].size = limit - base;
			}
			count++;
		}
		cursor = end;
	}
	return count;
}
