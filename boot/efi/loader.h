/*
 * Plinth's UEFI loader (BOOTX64.EFI, built with GNU-EFI by `make efi`).
 * Shared declarations of its parts; docs/boot.md describes what it does.
 */
#ifndef PLINTH_EFI_LOADER_H
#define PLINTH_EFI_LOADER_H

#include <efi.h>
#include <plinth/boot_info.h>
#include <plinth/uefi_handoff.h>

#include "kernel_elf.h"

extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;
extern EFI_HANDLE efi_image;

/* ---- console.c: messages on ConOut (OVMF mirrors it to the serial port) -- */
void console_init(EFI_SYSTEM_TABLE *st, EFI_HANDLE image);
void say(const char *fmt, ...) __printf(1, 2);
/* Print "Plinth loader: error: ...", wait for a key, return to the firmware. */
__noreturn void fail(const char *fmt, ...) __printf(1, 2);
/* After ExitBootServices nothing may be printed any more. */
void console_boot_services_gone(void);
const char *efi_status_text(EFI_STATUS status);

/* ---- files.c: the ESP this loader was started from ----------------------- */
struct loaded_file {
	uint8_t *data;
	uint64_t size;
	uint64_t pages; /* allocated with AllocatePages */
};

EFI_FILE_HANDLE esp_root(void);
/* Read a file into fresh pages below 4 GiB; EFI_NOT_FOUND if it is absent. */
EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *path, struct loaded_file *out);
void file_free(struct loaded_file *f);
/*
 * The plain files of directory `dir` (e.g. "\\plinth"), names in ASCII,
 * sorted; returns the count (at most `max`), fail()s on errors.
 */
size_t dir_list(EFI_FILE_HANDLE root, const char *dir, char names[][BOOT_NAME_MAX],
		size_t max);

/* ---- kernel.c: placing plinth.elf ---------------------------------------- */
/* Check and place the kernel at its physical addresses; fail()s with why. */
void kernel_load(const struct loaded_file *elf, const char *path, struct kernel_plan *plan);

/* ---- platform.c: what the firmware knows about the machine --------------- */
void platform_framebuffer(struct boot_info *bi);
void platform_rsdp(struct boot_info *bi);

/* ---- handoff.c: the final memory map, ExitBootServices, the jump --------- */
__noreturn void handoff_start_kernel(struct uefi_handoff *h, uint64_t entry);

#endif
