/* Guest descriptions from boot-module strings (core/guest_modules.c). */
#include "host_shim.h"

#include <string.h>

#include <plinth/errno.h>
#include <plinth/guest_modules.h>

/* guest_modules.c only needs guest_create for guests_create_from_modules. */
int guest_create(const struct guest_desc *d, struct guest **out)
{
	(void)d;
	(void)out;
	return -E_NOTSUP;
}

static int parse(const char *s, struct guest_desc *d)
{
	static uint8_t image[64];
	struct boot_module m = { (uint64_t)(uintptr_t)image, (uint64_t)(uintptr_t)image + sizeof(image), "" };

	strcpy(m.cmdline, s);
	return guest_desc_from_module(&m, d);
}

static void test_defaults(void **state)
{
	(void)state;
	struct guest_desc d;

	assert_int_equal(parse("exits", &d), 0);
	assert_string_equal(d.name, "exits");
	assert_true(d.memory == 16ULL << 20);
	assert_int_equal(d.vcpus, 1);
	assert_int_equal(d.start_mode, VCPU_START_PROT32);
	assert_int_equal(d.format, IMAGE_AUTO);
	assert_int_equal(d.image_size, 64);
}

static void test_path_and_keys(void **state)
{
	(void)state;
	struct guest_desc d;

	/* QEMU -initrd gives the path first */
	assert_int_equal(parse("build/guests/realmode.bin mem=2M mode=real", &d), 0);
	assert_string_equal(d.name, "realmode");
	assert_true(d.memory == 2ULL << 20);
	assert_int_equal(d.start_mode, VCPU_START_REAL);
	assert_int_equal(parse("k.elf format=elf", &d), 0);
	assert_int_equal(d.format, IMAGE_ELF);
	/* name= wins over the path */
	assert_int_equal(parse("/modules/isolation.bin name=iso2 vcpus=2", &d), 0);
	assert_string_equal(d.name, "iso2");
	assert_int_equal(d.vcpus, 2);
}

static void test_errors_name_the_guest(void **state)
{
	(void)state;
	struct guest_desc d;

	assert_int_equal(parse("g mem=12X", &d), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "guest g: mem=12X"));
	assert_int_equal(parse("g mem=5000", &d), -E_INVAL); /* not whole pages */
	assert_int_equal(parse("g mem=0", &d), -E_INVAL);
	assert_int_equal(parse("g vcpus=0", &d), -E_INVAL);
	assert_int_equal(parse("g vcpus=99", &d), -E_INVAL);
	assert_int_equal(parse("g mode=long", &d), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "mode=long"));
	assert_int_equal(parse("g format=pe", &d), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "format=pe"));
	assert_int_equal(parse("mem=1M", &d), -E_INVAL); /* no name at all */
	assert_int_equal(parse("name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &d), -E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_path_and_keys),
		cmocka_unit_test(test_errors_name_the_guest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
