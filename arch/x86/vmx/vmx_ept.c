/*
 * EPT (SDM vol. 3C, 29.3) as a struct pt_format for the generic mapper.
 *
 * Entries: read, write, execute in bits 0-2 (an entry is present when any
 * of them is set), the EPT memory type in bits 3-5 of leaves, bit 7 marks a
 * 2 MiB / 1 GiB leaf, the address from bit 12. There is no user bit and no
 * "ignore PAT" here: the guest's PAT combines with the leaf's type as on
 * hardware. Table entries grant R/W/X so the leaf alone decides the access.
 *
 * EPTP (29.3.7.1 / 25.6.11): memory type WB for the walk, a 4-level walk
 * (page-walk length minus one = 3), no accessed/dirty flags.
 */
#include <plinth/pagetable.h>

#include "vmx.h"

#define EPT_R (1ULL << 0)
#define EPT_W (1ULL << 1)
#define EPT_X (1ULL << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_MASK (7ULL << EPT_MEMTYPE_SHIFT)
#define EPT_LARGE (1ULL << 7)
#define EPT_ADDR 0x000FFFFFFFFFF000ULL
#define EPT_PA_BITS 52

/* EPT memory types (SDM 29.3.7). */
#define MT_UC 0
#define MT_WC 1
#define MT_WT 4
#define MT_WB 6

#define EPTP_WALK_4 (3ULL << 3)

static uint64_t memtype(enum pt_cache cache)
{
	switch (cache) {
	case PT_CACHE_WB: return MT_WB;
	case PT_CACHE_WC: return MT_WC;
	case PT_CACHE_WT: return MT_WT;
	case PT_CACHE_UC: return MT_UC;
	}
	return MT_UC;
}

static uint64_t ept_table(const struct pt_format *fmt __unused, paddr_t table)
{
	return (table & EPT_ADDR) | EPT_RWX;
}

static uint64_t ept_leaf(const struct pt_format *fmt __unused, paddr_t pa, unsigned level,
			 unsigned perms, enum pt_cache cache)
{
	uint64_t e = (pa & EPT_ADDR & ~(pt_level_size(level) - 1)) | EPT_R |
		     memtype(cache) << EPT_MEMTYPE_SHIFT;

	if (perms & PT_WRITE)
		e |= EPT_W;
	if (perms & PT_EXEC)
		e |= EPT_X;
	return level > 1 ? e | EPT_LARGE : e;
}

static bool ept_present(const struct pt_format *fmt __unused, uint64_t e)
{
	return e & EPT_RWX;
}

static bool ept_is_leaf(const struct pt_format *fmt __unused, uint64_t e, unsigned level)
{
	if (level == 1)
		return true;
	return level <= 3 && (e & EPT_LARGE);
}

static paddr_t ept_addr(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	uint64_t mask = EPT_ADDR;

	if (level > 1 && ept_is_leaf(fmt, e, level))
		mask &= ~(pt_level_size(level) - 1);
	return e & mask;
}

static unsigned ept_perms(const struct pt_format *fmt __unused, uint64_t e,
			  unsigned level __unused)
{
	return ((e & EPT_R) ? PT_READ : 0) | ((e & EPT_W) ? PT_WRITE : 0) |
	       ((e & EPT_X) ? PT_EXEC : 0);
}

static enum pt_cache ept_cache(const struct pt_format *fmt __unused, uint64_t e,
			       unsigned level __unused)
{
	switch ((e & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT) {
	case MT_WB: return PT_CACHE_WB;
	case MT_WC: return PT_CACHE_WC;
	case MT_WT: return PT_CACHE_WT;
	default: return PT_CACHE_UC;
	}
}

#define EPT_FORMAT(label, leaf_levels)                                           \
	{                                                                        \
		.name = label, .max_leaf_level = leaf_levels,                    \
		.valid_perms = PT_READ | PT_WRITE | PT_EXEC, .pa_bits = EPT_PA_BITS, \
		.make_table = ept_table, .make_leaf = ept_leaf,                  \
		.is_present = ept_present, .is_leaf = ept_is_leaf,               \
		.addr = ept_addr, .perms = ept_perms, .cache = ept_cache,        \
	}

static const struct pt_format ept_formats[3] = {
	EPT_FORMAT("ept-4k", 1),
	EPT_FORMAT("ept-2m", 2),
	EPT_FORMAT("ept-1g", 3),
};

const struct pt_format *vmx_ept_format(unsigned max_leaf_level)
{
	if (max_leaf_level == 0 || max_leaf_level > 3)
		return NULL;
	return &ept_formats[max_leaf_level - 1];
}

/* The largest leaves IA32_VMX_EPT_VPID_CAP allows (caps was filled from it). */
const struct pt_format *vmx_stage2_format(const struct virt_caps *caps)
{
	return vmx_ept_format(caps->stage2_1g ? 3 : caps->stage2_2m ? 2 : 1);
}

uint64_t vmx_eptp(paddr_t root)
{
	return (root & EPT_ADDR) | EPTP_WALK_4 | MT_WB;
}
