/*
 * Multiboot headers. Multiboot1 must sit in the first 8 KiB of the file and
 * uses the a.out kludge (load addresses in the header) because QEMU's -kernel
 * loader refuses 64-bit ELF files otherwise; GRUB honours the same fields.
 * Multiboot2 (first 32 KiB, 8-byte aligned) loads the ELF segments.
 * The "Plinth 64-bit entry" record (first 8 KiB, 8-byte aligned) tells
 * Plinth's own UEFI loader where entry_efi.S starts (plinth/uefi_handoff.h).
 */
#include "multiboot.h"
#include <plinth/uefi_handoff.h>

	.section .multiboot, "a"
	.balign 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long mb1_header	/* header_addr */
	.long _kernel_start	/* load_addr */
	.long _load_end		/* load_end_addr */
	.long _kernel_end	/* bss_end_addr */
	.long _start		/* entry_addr */

	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* page-align modules: guest images are mapped page by page */
	.balign 8
	.short MB2_HEADER_TAG_MODULE_ALIGN, 0
	.long 8
	/*
	 * No framebuffer request tag, on purpose: with one, GRUB on a BIOS
	 * switches to a VBE graphics mode (slower to draw than VGA text, and
	 * Bochs' text display cannot show it). Without one it keeps the text
	 * mode and passes an EGA text framebuffer tag; under UEFI, which has no
	 * text mode, it passes the GOP framebuffer anyway, given its video
	 * drivers (tools/mkiso.sh loads them).
	 */
	.balign 8
	.short MB2_HEADER_TAG_END, 0
	.long 8
mb2_header_end:

	.balign 8
plinth_entry64_record:
	.ascii PLINTH_ENTRY64_SIGNATURE
	.long PLINTH_HANDOFF_VERSION
	.long 0
	.quad _start64
