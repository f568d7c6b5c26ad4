/*
 * Guest page-table walker: guest-virtual (linear) to guest-physical, in
 * every x86 paging mode (Intel SDM vol. 3A ch. 4, AMD APM vol. 2 ch. 5):
 * paging off, 32-bit (with 4 MiB pages when CR4.PSE), PAE, 4-level and
 * 5-level (CR4.LA57), with 2 MiB and 1 GiB pages. It reports the #PF error
 * code the guest should see on not-present, protection and reserved-bit
 * faults.
 *
 * Accessed and dirty bits are never set. A CPU sets A in every entry it
 * uses and D in the leaf on a write, with locked read-modify-writes; this
 * walker only reads, because its users are MMIO decoding and instruction
 * fetch for emulation, after the CPU itself walked the same tables for the
 * access that exited. A caller emulating a RAM write through it would have
 * to set them itself.
 *
 * Not modelled: protection keys (CR4.PKE/PKS), the TLB (the walk always sees
 * the tables as they are now; for PAE the CPU may use PDPTEs cached at the
 * last CR3 load), and HLAT/LAM.
 */
#ifndef PLINTH_GUEST_WALK_H
#define PLINTH_GUEST_WALK_H

#include <plinth/types.h>
#include <plinth/vm_exit.h>

/* The guest's paging state, as the vCPU has it. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
	/* From the guest's CPUID; zero values mean "the architectural maximum". */
	unsigned maxphyaddr; /* CPUID.80000008H:EAX[7:0]; 0: 52 */
	bool no_1g_pages;    /* CPUID.80000001H:EDX[26] clear: PS in a PDPTE is reserved */
};

/* Access kinds: STAGE2_WRITE / STAGE2_EXEC (STAGE2_READ is implied) plus: */
#define GUEST_ACCESS_WRITE STAGE2_WRITE
#define GUEST_ACCESS_EXEC STAGE2_EXEC
#define GUEST_ACCESS_USER (1u << 3) /* CPL 3 and not an implicit supervisor access */
#define GUEST_ACCESS_AC (1u << 4)   /* RFLAGS.AC with an explicit access: no SMAP */

/* #PF error code bits (SDM vol. 3A 4.7). */
#define PF_ERR_P (1u << 0)    /* 0: not present; 1: protection or reserved bit */
#define PF_ERR_W (1u << 1)    /* the access was a write */
#define PF_ERR_U (1u << 2)    /* the access was a user-mode access */
#define PF_ERR_RSVD (1u << 3) /* a reserved bit was set in a paging entry */
#define PF_ERR_ID (1u << 4)   /* instruction fetch (only with NX or SMEP enabled) */

/* Read 8 bytes of guest-physical memory: 0 or -E_FAULT. Core passes a reader over guest RAM. */
typedef int (*gpa_read_fn)(void *ctx, uint64_t gpa, uint64_t *value);

/*
 * Translate `gva` for an access of kind `access` (GUEST_ACCESS_* bits).
 * Returns 0 with *gpa set; -E_FAULT when the guest takes a #PF (CR2 = gva)
 * with *pf_error_code set; -E_RANGE when a paging entry is outside guest
 * RAM (the reader failed); -E_INVAL when the address is not canonical (the
 * guest takes #GP or #SS, not #PF), is above 4 GiB outside long mode, when
 * the paging state is inconsistent (LMA without PAE), or `access` has
 * unknown bits. *pf_error_code is 0 except on -E_FAULT.
 */
int guest_virt_to_phys(const struct guest_paging *p, uint64_t gva,
		       unsigned access, gpa_read_fn read, void *ctx,
		       uint64_t *gpa, uint32_t *pf_error_code);

#endif
