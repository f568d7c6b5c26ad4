/*
 * uefi_handoff_copy: the kernel takes the UEFI loader's boot_info only when
 * the header matches this build and every count and string is in bounds.
 */
#include "host_shim.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/uefi_handoff.h>

static struct uefi_handoff h;
static struct boot_info out;

static void make_good(void)
{
	memset(&h, 0, sizeof(h));
	h.magic = PLINTH_UEFI_MAGIC;
	h.version = PLINTH_HANDOFF_VERSION;
	h.size = sizeof(h);
	h.bi.protocol = BOOT_PROTO_UEFI;
	strcpy(h.bi.loader_name, "Plinth UEFI loader");
	strcpy(h.bi.cmdline, "test=guests");
	h.bi.mem_count = 1;
	h.bi.mem[0] = (struct mem_region){ 0x100000, 0x1000000, MEM_USABLE };
	h.bi.module_count = 1;
	h.bi.modules[0] = (struct boot_module){ 0x400000, 0x401000, "/plinth/plinth.toml" };
	h.bi.rsdp_len = 36;
	h.bi.efi_system_table = 0xf5ec018;
	h.bi.efi_mem_count = 3;
}

static void expect_rejected(const char *words)
{
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(uefi_handoff_copy(&h, &out), -E_INVAL);
	assert_non_null(strstr(shim_last_log, words));
	/* Nothing half-copied. */
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(((uint8_t *)&out)[i], 0x5a);
}

static void test_good_is_copied(void **state)
{
	(void)state;
	make_good();
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(uefi_handoff_copy(&h, &out), 0);
	assert_memory_equal(&out, &h.bi, sizeof(out));
	/* Full tables and an empty module are fine. */
	h.bi.mem_count = BOOT_MAX_MEM_REGIONS;
	h.bi.module_count = BOOT_MAX_MODULES;
	h.bi.efi_mem_count = BOOT_MAX_EFI_REGIONS;
	h.bi.rsdp_len = BOOT_RSDP_MAX;
	assert_int_equal(uefi_handoff_copy(&h, &out), 0);
}

static void test_header_mismatch(void **state)
{
	(void)state;
	make_good();
	h.magic = MULTIBOOT2_BOOTLOADER_MAGIC;
	expect_rejected("different builds");
	make_good();
	h.version = PLINTH_HANDOFF_VERSION + 1;
	expect_rejected("different builds");
	make_good();
	h.size = sizeof(h) - 8;
	expect_rejected("different builds");
	make_good();
	h.bi.protocol = BOOT_PROTO_MULTIBOOT2;
	expect_rejected("protocol 2, expected 3");
}

static void test_counts(void **state)
{
	(void)state;
	make_good();
	h.bi.mem_count = BOOT_MAX_MEM_REGIONS + 1;
	expect_rejected("limits are");
	make_good();
	h.bi.module_count = BOOT_MAX_MODULES + 1;
	expect_rejected("limits are");
	make_good();
	h.bi.efi_mem_count = (size_t)-1;
	expect_rejected("limits are");
	make_good();
	h.bi.rsdp_len = BOOT_RSDP_MAX + 1;
	expect_rejected("RSDP of 37 bytes");
}

static void test_strings_and_modules(void **state)
{
	(void)state;
	make_good();
	memset(h.bi.cmdline, 'x', sizeof(h.bi.cmdline));
	expect_rejected("not NUL-terminated");
	make_good();
	memset(h.bi.loader_name, 'x', sizeof(h.bi.loader_name));
	expect_rejected("not NUL-terminated");
	make_good();
	memset(h.bi.modules[0].cmdline, 'x', sizeof(h.bi.modules[0].cmdline));
	expect_rejected("module 0's name is not NUL-terminated");
	make_good();
	h.bi.modules[0].end = h.bi.modules[0].start - 1;
	expect_rejected("module 0 '/plinth/plinth.toml' ends");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_is_copied),
		cmocka_unit_test(test_header_mismatch),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_strings_and_modules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
