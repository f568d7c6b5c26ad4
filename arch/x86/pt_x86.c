/*
 * x86-64 long-mode entry format hooks for the generic mapper; the encoding
 * and PAT layout are described in include/plinth/pt_x86.h.
 */
#include <plinth/pt_x86.h>

/* A format instance plus what distinguishes host tables from NPT. */
struct pt_x86_format {
	struct pt_format base; /* first: hooks convert the pointer back */
	uint64_t every_entry;  /* bits set in every entry: US for NPT */
};

static const struct pt_x86_format *x86_format(const struct pt_format *fmt)
{
	return (const struct pt_x86_format *)fmt;
}

/* Address bits of a leaf at `level`; excludes the large-page PAT bit 12. */
static uint64_t leaf_addr_mask(unsigned level)
{
	return PT_X86_ADDR_MASK & ~(pt_level_size(level) - 1);
}

static uint64_t pat_bit(unsigned level)
{
	return level == 1 ? PT_X86_PAT_4K : PT_X86_PAT_LARGE;
}

static uint64_t cache_bits(enum pt_cache cache, unsigned level)
{
	switch (cache) {
	case PT_CACHE_WB:
		return 0;
	case PT_CACHE_WT:
		return PT_X86_PWT;
	case PT_CACHE_UC:
		return PT_X86_PCD | PT_X86_PWT;
	case PT_CACHE_WC:
		return pat_bit(level);
	}
	return PT_X86_PCD | PT_X86_PWT; /* unreachable; UC is the safe guess */
}

static uint64_t x86_make_table(const struct pt_format *fmt, paddr_t table)
{
	return (table & PT_X86_ADDR_MASK) | PT_X86_P | PT_X86_RW | PT_X86_US |
	       PT_X86_A | x86_format(fmt)->every_entry;
}

static uint64_t x86_make_leaf(const struct pt_format *fmt, paddr_t pa,
			      unsigned level, unsigned perms, enum pt_cache cache)
{
	uint64_t e = (pa & leaf_addr_mask(level)) | PT_X86_P | PT_X86_A | PT_X86_D |
		     cache_bits(cache, level) | x86_format(fmt)->every_entry;

	if (level > 1)
		e |= PT_X86_PS;
	if (perms & PT_WRITE)
		e |= PT_X86_RW;
	if (perms & PT_USER)
		e |= PT_X86_US;
	if (!(perms & PT_EXEC))
		e |= PT_X86_NX;
	return e;
}

static bool x86_is_present(const struct pt_format *fmt __unused, uint64_t e)
{
	return e & PT_X86_P;
}

static bool x86_is_leaf(const struct pt_format *fmt __unused, uint64_t e,
			unsigned level)
{
	switch (level) {
	case 1:
		return true;
	case 2:
	case 3:
		return e & PT_X86_PS;
	default:
		return false; /* PS is reserved in the PML4 */
	}
}

static paddr_t x86_addr(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	if (level > 1 && x86_is_leaf(fmt, e, level))
		return e & leaf_addr_mask(level);
	return e & PT_X86_ADDR_MASK;
}

static unsigned x86_perms(const struct pt_format *fmt, uint64_t e,
			  unsigned level __unused)
{
	unsigned perms = PT_READ;

	if (e & PT_X86_RW)
		perms |= PT_WRITE;
	if (!(e & PT_X86_NX))
		perms |= PT_EXEC;
	if (e & PT_X86_US)
		perms |= PT_USER;
	return perms & fmt->valid_perms; /* NPT: US is always set, not a permission */
}

/* Memory type of each PAT index under PT_X86_PAT_MSR_VALUE (UC- read as UC). */
static const enum pt_cache pat_index_cache[8] = {
	PT_CACHE_WB, PT_CACHE_WT, PT_CACHE_UC, PT_CACHE_UC,
	PT_CACHE_WC, PT_CACHE_WT, PT_CACHE_UC, PT_CACHE_UC,
};

static enum pt_cache x86_cache(const struct pt_format *fmt __unused, uint64_t e,
			       unsigned level)
{
	unsigned index = ((e & PT_X86_PWT) ? 1 : 0) | ((e & PT_X86_PCD) ? 2 : 0) |
			 ((e & pat_bit(level)) ? 4 : 0);

	return pat_index_cache[index];
}

#define HOST_PERMS (PT_READ | PT_WRITE | PT_EXEC | PT_USER)
#define NPT_PERMS (PT_READ | PT_WRITE | PT_EXEC)

#define X86_FORMAT(fmt_name, max_level, perms_mask, every)                 \
	{                                                                   \
		.base = {                                                   \
			.name = fmt_name,                                   \
			.max_leaf_level = max_level,                        \
			.valid_perms = perms_mask,                          \
			.pa_bits = PT_X86_PA_BITS,                          \
			.make_table = x86_make_table,                       \
			.make_leaf = x86_make_leaf,                         \
			.is_present = x86_is_present,                       \
			.is_leaf = x86_is_leaf,                             \
			.addr = x86_addr,                                   \
			.perms = x86_perms,                                 \
			.cache = x86_cache,                                 \
		},                                                          \
		.every_entry = every,                                       \
	}

static const struct pt_x86_format host_formats[] = {
	X86_FORMAT("x86-host-4k", 1, HOST_PERMS, 0),
	X86_FORMAT("x86-host-2m", 2, HOST_PERMS, 0),
	X86_FORMAT("x86-host-1g", 3, HOST_PERMS, 0),
};

static const struct pt_x86_format npt_formats[] = {
	X86_FORMAT("x86-npt-4k", 1, NPT_PERMS, PT_X86_US),
	X86_FORMAT("x86-npt-2m", 2, NPT_PERMS, PT_X86_US),
	X86_FORMAT("x86-npt-1g", 3, NPT_PERMS, PT_X86_US),
};

_Static_assert(offsetof(struct pt_x86_format, base) == 0,
	       "x86_format() casts the hook's format pointer back");

const struct pt_format *pt_x86_host_format(unsigned max_leaf_level)
{
	if (max_leaf_level < 1 || max_leaf_level > ARRAY_SIZE(host_formats))
		return NULL;
	return &host_formats[max_leaf_level - 1].base;
}

const struct pt_format *pt_x86_npt_format(unsigned max_leaf_level)
{
	if (max_leaf_level < 1 || max_leaf_level > ARRAY_SIZE(npt_formats))
		return NULL;
	return &npt_formats[max_leaf_level - 1].base;
}
