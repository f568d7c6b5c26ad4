/*
 * x86-64 long-mode paging entries (Intel SDM vol. 3A 4.5, AMD APM vol. 2
 * 5.3) as a struct pt_format, for the hypervisor's own page tables and for
 * AMD nested page tables, which use the same format (APM 15.25).
 *
 * Encoding choices:
 * - Table entries: P|RW|US|A, so the leaf alone decides the access rights.
 * - Leaves: P, RW for PT_WRITE, US for PT_USER, NX (bit 63) without PT_EXEC,
 *   PS at levels 2 and 3; A and D preset so the CPU never writes the tables.
 *   NX needs EFER.NXE (also on the host for NPT).
 * - Cache type: the PAT index (PAT<<2 | PCD<<1 | PWT) selects an IA32_PAT
 *   entry. PAT is bit 7 in 4 KiB leaves and bit 12 in large leaves (where
 *   bit 7 is PS). Indexes 0..3 keep their power-on meaning, so WB, WT and UC
 *   are right even before IA32_PAT is programmed; WC uses index 4, which
 *   assumes the kernel programs IA32_PAT with PT_X86_PAT_MSR_VALUE (until
 *   then, index 4 is the power-on WB):
 *     WB = index 0 (no bits)    WT = index 1 (PWT)
 *     UC = index 3 (PCD|PWT)    WC = index 4 (PAT)
 *   NPT leaves index the host's IA32_PAT the same way (APM 15.25.8), and
 *   the result is combined with the guest's own PAT type.
 * - NPT: walks of the nested table are user accesses, so US is set in every
 *   entry and PT_USER is not a valid permission for the NPT format.
 */
#ifndef PLINTH_PT_X86_H
#define PLINTH_PT_X86_H

#include <plinth/pagetable.h>

#define PT_X86_P (1ULL << 0)
#define PT_X86_RW (1ULL << 1)
#define PT_X86_US (1ULL << 2)
#define PT_X86_PWT (1ULL << 3)
#define PT_X86_PCD (1ULL << 4)
#define PT_X86_A (1ULL << 5)
#define PT_X86_D (1ULL << 6)
#define PT_X86_PS (1ULL << 7)        /* levels 2, 3: leaf */
#define PT_X86_PAT_4K (1ULL << 7)    /* level 1 */
#define PT_X86_PAT_LARGE (1ULL << 12) /* levels 2, 3 */
#define PT_X86_NX (1ULL << 63)
#define PT_X86_ADDR_MASK 0x000ffffffffff000ULL /* bits 12..51 */
#define PT_X86_PA_BITS 52

/* IA32_PAT: memory type per PAT index; the kernel writes this on every CPU. */
#define PT_X86_MSR_PAT 0x277
#define PT_X86_PAT_UC 0x00ULL
#define PT_X86_PAT_WC 0x01ULL
#define PT_X86_PAT_WT 0x04ULL
#define PT_X86_PAT_WB 0x06ULL
#define PT_X86_PAT_UC_MINUS 0x07ULL
/* Power-on layout (WB WT UC- UC) twice, with entry 4 changed to WC. */
#define PT_X86_PAT_MSR_VALUE                                              \
	(PT_X86_PAT_WB | PT_X86_PAT_WT << 8 | PT_X86_PAT_UC_MINUS << 16 |    \
	 PT_X86_PAT_UC << 24 | PT_X86_PAT_WC << 32 | PT_X86_PAT_WT << 40 |   \
	 PT_X86_PAT_UC_MINUS << 48 | PT_X86_PAT_UC << 56)

/*
 * Formats allowing leaves up to `max_leaf_level` (1: 4 KiB, 2: 2 MiB,
 * 3: 1 GiB; pick from CPUID: 1 GiB pages need CPUID.80000001H:EDX[26]).
 * NULL for any other level.
 */
const struct pt_format *pt_x86_host_format(unsigned max_leaf_level);
const struct pt_format *pt_x86_npt_format(unsigned max_leaf_level);

/* The mapper's 48-bit form of a canonical virtual address, and back. */
static inline uint64_t pt_x86_va48(uint64_t canonical)
{
	return canonical & (PT_VA_LIMIT - 1);
}

static inline uint64_t pt_x86_canonical(uint64_t va48)
{
	return (va48 & (PT_VA_LIMIT >> 1)) ? va48 | ~(PT_VA_LIMIT - 1) : va48;
}

static inline bool pt_x86_is_canonical(uint64_t va)
{
	return pt_x86_canonical(pt_x86_va48(va)) == va;
}

#endif
