/*
 * Multiboot 1 header of the bench guest (tests/guests/bench.c), so that the
 * same flat binary boots under Plinth (image_multiboot.c) and directly under
 * QEMU (-kernel), the baseline of the exit benchmarks. The a.out kludge gives
 * the load addresses: QEMU refuses 64-bit ELF files as multiboot kernels.
 * Linked after entry.S's .text.entry, well inside the first 8 KiB.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS ((1 << 1) | (1 << 16)) /* memory information; a.out kludge */

	.section .text.multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header      /* header_addr */
	.long __image_start  /* load_addr */
	.long __image_end    /* load_end_addr */
	.long __bss_end      /* bss_end_addr */
	.long rt_entry32     /* entry_addr */
