/*
 * The contract between Plinth's own UEFI loader (boot/efi/, BOOTX64.EFI) and
 * the kernel's 64-bit entry (boot/entry_efi.S).
 *
 * Finding the entry: the kernel image carries a "Plinth 64-bit entry" record
 * in its .multiboot section (boot/header.S), so within the first 8 KiB of
 * plinth.elf, 8-byte aligned: the 8 bytes "PLINTH64", the handoff version
 * (u32), 4 reserved bytes, the physical entry address (u64). The loader
 * scans for it; no symbol table or guessing is needed.
 *
 * Calling the entry: 64-bit mode, paging on with the firmware's identity
 * map, after ExitBootServices; RDI = physical address (below 4 GiB) of a
 * struct uefi_handoff. The entry then calls kmain(PLINTH_UEFI_MAGIC, RDI),
 * and kmain copies the boot_info out before it allocates any memory.
 */
#ifndef PLINTH_UEFI_HANDOFF_H
#define PLINTH_UEFI_HANDOFF_H

#define PLINTH_UEFI_MAGIC 0x504C5545u /* "PLUE": kmain's magic from the UEFI loader */
#define PLINTH_ENTRY64_SIGNATURE "PLINTH64"
#define PLINTH_HANDOFF_VERSION 1
#define PLINTH_ENTRY64_SCAN_BYTES 8192

#ifndef __ASSEMBLY__
#include <plinth/boot_info.h>

struct plinth_entry64_record {
	char signature[8]; /* PLINTH_ENTRY64_SIGNATURE, not NUL-terminated */
	uint32_t version;  /* PLINTH_HANDOFF_VERSION */
	uint32_t reserved;
	uint64_t entry;    /* physical address of the 64-bit entry */
};

struct uefi_handoff {
	uint32_t magic;   /* PLINTH_UEFI_MAGIC */
	uint32_t version; /* PLINTH_HANDOFF_VERSION */
	uint64_t size;    /* sizeof(struct uefi_handoff): catches a layout change */
	struct boot_info bi;
};

/*
 * Check the loader's handoff and copy its boot_info to `out`. Returns 0, or
 * -E_INVAL (logged: which field is wrong) for a bad magic, version, size,
 * protocol, count beyond the table limits, unterminated string, oversized
 * RSDP or a module ending before it starts.
 */
int uefi_handoff_copy(const struct uefi_handoff *h, struct boot_info *out);
#endif

#endif
