/*
 * The pure parts of Plinth's UEFI loader: EFI memory types to multiboot
 * types (GRUB's rules), the memory map conversion, the checks on
 * plinth.elf, and the command line from a file or the load options. Descriptors and ELF files are written field by field at the
 * offsets the UEFI and ELF specifications give, independently of the
 * loader's constants, so a wrong offset there fails here.
 */
#include "host_shim.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/boot_info.h>
#include <plinth/uefi_handoff.h>

#include "../../boot/efi/cmdline_text.h"
#include "../../boot/efi/kernel_elf.h"
#include "../../boot/efi/memmap.h"

static struct boot_info bi;

static void put_u16(uint8_t *b, size_t off, uint16_t v) { memcpy(b + off, &v, sizeof(v)); }
static void put_u32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, sizeof(v)); }
static void put_u64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, sizeof(v)); }

/* ---- memory types --------------------------------------------------------- */

static void test_type_rules(void **state)
{
	/* UEFI 2.10 table 7.10 numbering, GRUB's grub_efi_mmap_iterate rules. */
	static const uint32_t want[] = {
		[0] = MEM_RESERVED,	     /* EfiReservedMemoryType */
		[1] = MEM_USABLE,	     /* EfiLoaderCode */
		[2] = MEM_USABLE,	     /* EfiLoaderData */
		[3] = MEM_USABLE,	     /* EfiBootServicesCode */
		[4] = MEM_USABLE,	     /* EfiBootServicesData */
		[5] = MEM_RESERVED,	     /* EfiRuntimeServicesCode */
		[6] = MEM_RESERVED,	     /* EfiRuntimeServicesData */
		[7] = MEM_USABLE,	     /* EfiConventionalMemory */
		[8] = MEM_BAD,		     /* EfiUnusableMemory */
		[9] = MEM_ACPI_RECLAIMABLE,  /* EfiACPIReclaimMemory */
		[10] = MEM_ACPI_NVS,	     /* EfiACPIMemoryNVS */
		[11] = MEM_RESERVED,	     /* EfiMemoryMappedIO */
		[12] = MEM_RESERVED,	     /* EfiMemoryMappedIOPortSpace */
		[13] = MEM_RESERVED,	     /* EfiPalCode */
		[14] = MEM_RESERVED,	     /* EfiPersistentMemory */
		[15] = MEM_RESERVED,	     /* EfiUnacceptedMemoryType */
	};

	(void)state;
	for (uint32_t t = 0; t < sizeof(want) / sizeof(want[0]); t++)
		assert_int_equal(efi_type_to_mem_type(t), want[t]);
	assert_int_equal(efi_type_to_mem_type(16), MEM_RESERVED);
	assert_int_equal(efi_type_to_mem_type(0x70000001), MEM_RESERVED); /* OEM */
	assert_int_equal(efi_type_to_mem_type(0x80000000), MEM_RESERVED); /* OS loader */
	assert_int_equal(efi_type_to_mem_type(UINT32_MAX), MEM_RESERVED);
}

/* ---- memory map conversion ------------------------------------------------ */

#define DESC 48 /* OVMF's descriptor size: larger than the 40 bytes defined */

static uint8_t map[300 * DESC];

static void put_desc(size_t i, uint32_t type, uint64_t phys, uint64_t pages, uint64_t attr)
{
	uint8_t *d = map + i * DESC;

	memset(d, 0xAA, DESC); /* padding and VirtualStart must be ignored */
	put_u32(d, 0, type);
	put_u64(d, 8, phys);
	put_u64(d, 24, pages);
	put_u64(d, 32, attr);
}

static void test_map_conversion(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	/* Out of order, with loader, boot services and conventional pieces. */
	put_desc(0, 7, 0x100000, 0x100, 0xf);	   /* conventional 1-2 MiB */
	put_desc(1, 3, 0x0, 0xa0, 0xf);		   /* boot services code */
	put_desc(2, 2, 0x200000, 0x80, 0xf);	   /* loader data */
	put_desc(3, 10, 0x800000, 0x8, 0xf);	   /* ACPI NVS */
	put_desc(4, 4, 0x280000, 0x580, 0xf);	   /* boot services data */
	put_desc(5, 6, 0x900000, 0x10, 0x800000000000000full); /* runtime data */
	put_desc(6, 9, 0x910000, 0x2, 0xf);	   /* ACPI reclaim */
	put_desc(7, 11, 0xffc00000, 0x400, 1);	   /* MMIO (flash) */
	put_desc(8, 8, 0x1000000, 0x1, 0xf);	   /* unusable */
	assert_true(efi_map_to_boot_info(&bi, map, 9 * DESC, DESC));

	assert_int_equal(bi.mem_count, 7);
	assert_false(bi.mem_truncated);
	struct mem_region want[] = {
		{ 0x0, 0xa0000, MEM_USABLE },
		{ 0x100000, 0x700000, MEM_USABLE }, /* 1-8 MiB: three types joined */
		{ 0x800000, 0x8000, MEM_ACPI_NVS },
		{ 0x900000, 0x10000, MEM_RESERVED },
		{ 0x910000, 0x2000, MEM_ACPI_RECLAIMABLE },
		{ 0x1000000, 0x1000, MEM_BAD },
		{ 0xffc00000, 0x400000, MEM_RESERVED },
	};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(bi.mem[i].base, want[i].base);
		assert_int_equal(bi.mem[i].size, want[i].size);
		assert_int_equal(bi.mem[i].type, want[i].type);
	}
	/* The raw copy keeps the firmware's order and fields. */
	assert_int_equal(bi.efi_mem_count, 9);
	assert_int_equal(bi.efi_mem[5].type, 6);
	assert_int_equal(bi.efi_mem[5].phys, 0x900000);
	assert_int_equal(bi.efi_mem[5].pages, 0x10);
	assert_int_equal(bi.efi_mem[5].attr, 0x800000000000000full);
}

static void test_map_refills(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.mem_count = 3; /* stale content from an earlier attempt goes */
	bi.efi_mem_count = 7;
	bi.mem_truncated = true;
	put_desc(0, 7, 0x100000, 0x10, 0);
	assert_true(efi_map_to_boot_info(&bi, map, DESC, DESC));
	assert_int_equal(bi.mem_count, 1);
	assert_int_equal(bi.efi_mem_count, 1);
	assert_false(bi.mem_truncated);
}

static void test_map_bad_descriptor_size(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	put_desc(0, 7, 0x100000, 0x10, 0);
	assert_false(efi_map_to_boot_info(&bi, map, 39, 39));
	assert_int_equal(bi.mem_count, 0);
	assert_int_equal(bi.efi_mem_count, 0);
	/* A partial trailing descriptor is not read. */
	assert_true(efi_map_to_boot_info(&bi, map, DESC + DESC / 2, DESC));
	assert_int_equal(bi.efi_mem_count, 1);
}

static void test_map_top_of_address_space(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	/* 2^52 pages from 2^63: would wrap; clipped to the end of the space. */
	put_desc(0, 7, 0x8000000000000000ull, 1ull << 52, 0);
	assert_true(efi_map_to_boot_info(&bi, map, DESC, DESC));
	assert_int_equal(bi.mem_count, 1);
	assert_int_equal(bi.mem[0].base, 0x8000000000000000ull);
	assert_int_equal(bi.mem[0].size, UINT64_MAX - 0x8000000000000000ull);
}

static void test_map_many_descriptors(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	/* 300 alternating regions: the raw copy keeps 256, the typed map 128. */
	for (size_t i = 0; i < 300; i++)
		put_desc(i, i % 2 ? 0 : 7, 0x100000 + i * 0x1000, 1, 0);
	assert_true(efi_map_to_boot_info(&bi, map, 300 * DESC, DESC));
	assert_int_equal(bi.efi_mem_count, BOOT_MAX_EFI_REGIONS);
	assert_int_equal(bi.mem_count, BOOT_MAX_MEM_REGIONS);
	assert_true(bi.mem_truncated);
}

/* ---- kernel ELF checks ----------------------------------------------------- */

#define ELF_SIZE 0x3000
#define PH_OFF 64
#define REC_OFF 0x1040

static uint8_t *elf;

/* A small kernel: code at 0x200000 (file 0x1000), data+bss at 0x202000. */
static void make_elf(void)
{
	free(elf);
	elf = calloc(1, ELF_SIZE);
	memcpy(elf, "\177ELF", 4);
	elf[4] = 2; /* ELFCLASS64 */
	elf[5] = 1; /* little-endian */
	elf[6] = 1;
	put_u16(elf, 16, 2);  /* ET_EXEC */
	put_u16(elf, 18, 62); /* EM_X86_64 */
	put_u64(elf, 24, 0x201000);
	put_u64(elf, 32, PH_OFF);
	put_u16(elf, 54, 56);
	put_u16(elf, 56, 3);
	/* phdr 0: PT_LOAD R X */
	put_u32(elf, PH_OFF + 0, 1);
	put_u32(elf, PH_OFF + 4, 5);
	put_u64(elf, PH_OFF + 8, 0x1000);
	put_u64(elf, PH_OFF + 16, 0x200000);
	put_u64(elf, PH_OFF + 24, 0x200000);
	put_u64(elf, PH_OFF + 32, 0x1000);
	put_u64(elf, PH_OFF + 40, 0x1000);
	/* phdr 1: PT_NOTE, ignored even though its numbers are nonsense */
	put_u32(elf, PH_OFF + 56 + 0, 4);
	put_u64(elf, PH_OFF + 56 + 8, 0xffffffffffull);
	put_u64(elf, PH_OFF + 56 + 32, 0xffffffffffull);
	/* phdr 2: PT_LOAD RW with bss, not page-aligned at its end */
	put_u32(elf, PH_OFF + 112 + 0, 1);
	put_u32(elf, PH_OFF + 112 + 4, 6);
	put_u64(elf, PH_OFF + 112 + 8, 0x2000);
	put_u64(elf, PH_OFF + 112 + 24, 0x202000);
	put_u64(elf, PH_OFF + 112 + 32, 0x800);
	put_u64(elf, PH_OFF + 112 + 40, 0x3100);
	/* the entry record, inside the code segment's file bytes */
	memcpy(elf + REC_OFF, "PLINTH64", 8);
	put_u32(elf, REC_OFF + 8, PLINTH_HANDOFF_VERSION);
	put_u64(elf, REC_OFF + 16, 0x200100);
}

static const char *plan(struct kernel_plan *p)
{
	return kernel_elf_plan(elf, ELF_SIZE, p);
}

static void test_elf_good(void **state)
{
	struct kernel_plan p;

	(void)state;
	make_elf();
	assert_null(plan(&p));
	assert_int_equal(p.count, 2);
	assert_int_equal(p.seg[0].paddr, 0x200000);
	assert_int_equal(p.seg[0].offset, 0x1000);
	assert_true(p.seg[0].executable);
	assert_int_equal(p.seg[1].filesz, 0x800);
	assert_int_equal(p.seg[1].memsz, 0x3100);
	assert_false(p.seg[1].executable);
	assert_int_equal(p.span_start, 0x200000);
	assert_int_equal(p.span_end, 0x206000);
	assert_int_equal(p.entry, 0x200100);
	assert_int_equal(p.bad_phdr, -1);
}

static void expect_error(const char *want, int phdr)
{
	struct kernel_plan p;
	const char *err = plan(&p);

	assert_non_null(err);
	assert_non_null(strstr(err, want));
	assert_int_equal(p.bad_phdr, phdr);
}

static void test_elf_header_errors(void **state)
{
	struct kernel_plan p;

	(void)state;
	make_elf();
	assert_non_null(strstr(kernel_elf_plan(elf, 63, &p), "shorter than an ELF header"));
	elf[1] = 'X';
	expect_error("not an ELF file", -1);
	make_elf();
	elf[4] = 1;
	expect_error("not a 64-bit ELF file", -1);
	make_elf();
	elf[5] = 2;
	expect_error("not a little-endian", -1);
	make_elf();
	put_u16(elf, 16, 3); /* ET_DYN */
	expect_error("not an executable", -1);
	make_elf();
	put_u16(elf, 18, 3); /* EM_386 */
	expect_error("not built for x86-64", -1);
	make_elf();
	put_u16(elf, 54, 32);
	expect_error("program header entries are too small", -1);
	make_elf();
	put_u64(elf, 32, ELF_SIZE - 100);
	expect_error("program headers lie outside the file", -1);
	make_elf();
	put_u64(elf, 32, UINT64_MAX - 8); /* no wrap-around */
	expect_error("program headers lie outside the file", -1);
}

static void test_elf_segment_errors(void **state)
{
	(void)state;
	make_elf();
	put_u64(elf, PH_OFF + 112 + 32, 0x4000); /* filesz > memsz */
	expect_error("more bytes in the file than in memory", 2);
	make_elf();
	put_u64(elf, PH_OFF + 112 + 8, 0x2900); /* 0x2900 + 0x800 > 0x3000 */
	expect_error("past the end of the file", 2);
	make_elf();
	put_u64(elf, PH_OFF + 112 + 8, UINT64_MAX - 0x10); /* offset wraps */
	expect_error("past the end of the file", 2);
	make_elf();
	put_u64(elf, PH_OFF + 112 + 24, 0xfffff000); /* ends above 4 GiB */
	expect_error("below 4 GiB", 2);
	make_elf();
	put_u64(elf, PH_OFF + 112 + 24, 0x200800); /* inside the code */
	expect_error("overlaps", 2);
	make_elf();
	put_u32(elf, PH_OFF + 0, 6);
	put_u32(elf, PH_OFF + 112, 6);
	expect_error("no PT_LOAD segment", -1);
}

static void test_elf_entry_errors(void **state)
{
	(void)state;
	make_elf();
	memcpy(elf + REC_OFF, "PLINTH65", 8);
	expect_error("no \"Plinth 64-bit entry\" record", -1);
	make_elf();
	memcpy(elf + REC_OFF + 4, "PLINTH64", 8); /* not 8-byte aligned */
	memset(elf + REC_OFF, 0, 4);
	expect_error("no \"Plinth 64-bit entry\" record", -1);
	make_elf();
	memcpy(elf + 0x2000, "PLINTH64", 8); /* beyond the first 8 KiB */
	memset(elf + REC_OFF, 0, 8);
	expect_error("no \"Plinth 64-bit entry\" record", -1);
	make_elf();
	put_u32(elf, REC_OFF + 8, PLINTH_HANDOFF_VERSION + 1);
	expect_error("another handoff version", -1);
	make_elf();
	put_u64(elf, REC_OFF + 16, 0x202000); /* in the data segment */
	expect_error("outside every executable segment", -1);
	make_elf();
	put_u64(elf, REC_OFF + 16, 0x201000); /* one past the code */
	expect_error("outside every executable segment", -1);
}

/* ---- command line -------------------------------------------------------- */

static void test_cmdline_from_text(void **state)
{
	char out[16];

	(void)state;
	cmdline_from_text(out, sizeof(out), "test=guests\r\n", 13);
	assert_string_equal(out, "test=guests");
	cmdline_from_text(out, sizeof(out), "a=1\nb=2\tc=3\n\n", 15);
	assert_string_equal(out, "a=1 b=2 c=3");
	cmdline_from_text(out, sizeof(out), "a=1\0b=2", 7);
	assert_string_equal(out, "a=1");
	cmdline_from_text(out, sizeof(out), "", 0);
	assert_string_equal(out, "");
	/* The caller checks the length; this still never writes past max. */
	cmdline_from_text(out, 4, "abcdefgh", 8);
	assert_string_equal(out, "abc");
}

/* UCS-2 of an ASCII string, with `nuls` NUL characters after it. */
static size_t ucs2(uint16_t *w, const char *s, size_t nuls)
{
	size_t n = 0;

	for (; s[n]; n++)
		w[n] = (uint16_t)s[n];
	for (size_t i = 0; i < nuls; i++)
		w[n++] = 0;
	return n * 2;
}

static void test_cmdline_from_load_options(void **state)
{
	uint16_t w[64];
	char out[16];
	size_t bytes;

	(void)state;
	bytes = ucs2(w, "cpus=2", 1);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 6);
	assert_string_equal(out, "cpus=2");
	/* The UEFI shell's form: the program first, in any case. */
	bytes = ucs2(w, "fs0:\\EFI\\BOOT\\BOOTX64.EFI  test=mm", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 7);
	assert_string_equal(out, "test=mm");
	bytes = ucs2(w, "plinth.efi", 2);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 0);
	assert_string_equal(out, "");
	/* A first word not naming a program stays. */
	bytes = ucs2(w, "efi=x cpus=1", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 12);
	assert_string_equal(out, "efi=x cpus=1");
	/* Binary data, odd sizes and nothing at all give no command line. */
	bytes = ucs2(w, "ab", 0);
	w[1] = 0x1234;
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 0);
	assert_string_equal(out, "");
	bytes = ucs2(w, "a\tb", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 0);
	bytes = ucs2(w, "abc", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes - 1), 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), NULL, 8), 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, 0), 0);
	/* 15 characters fit in 16 bytes, 16 do not. */
	bytes = ucs2(w, "a=1234567890123", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes), 15);
	bytes = ucs2(w, "a=12345678901234", 0);
	assert_int_equal(cmdline_from_load_options(out, sizeof(out), w, bytes),
			 CMDLINE_OPTIONS_TOO_LONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_rules),
		cmocka_unit_test(test_map_conversion),
		cmocka_unit_test(test_map_refills),
		cmocka_unit_test(test_map_bad_descriptor_size),
		cmocka_unit_test(test_map_top_of_address_space),
		cmocka_unit_test(test_map_many_descriptors),
		cmocka_unit_test(test_elf_good),
		cmocka_unit_test(test_elf_header_errors),
		cmocka_unit_test(test_elf_segment_errors),
		cmocka_unit_test(test_elf_entry_errors),
		cmocka_unit_test(test_cmdline_from_text),
		cmocka_unit_test(test_cmdline_from_load_options),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free(elf);
	return failed;
}
