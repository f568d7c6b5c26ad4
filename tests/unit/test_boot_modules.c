/* Boot modules by name (core/boot_modules.c): what a configuration's `kernel` finds. */
#include "host_shim.h"

#include <string.h>

#include <plinth/boot_modules.h>

static struct boot_info bi;

static void set_modules(const char *const *names, size_t n)
{
	memset(&bi, 0, sizeof(bi));
	for (size_t i = 0; i < n; i++) {
		strcpy(bi.modules[i].cmdline, names[i]);
		bi.modules[i].start = 0x1000 * (i + 1);
		bi.modules[i].end = bi.modules[i].start + 16;
	}
	bi.module_count = n;
}

static const char *found(const char *want)
{
	const struct boot_module *m = boot_module_find(&bi, want);
	return m ? m->cmdline : NULL;
}

static void test_find_by_path_and_suffix(void **state)
{
	(void)state;
	const char *names[] = { "/boot/plinth.toml", "build/guests/exits.bin", "/guests/a.elf extra words",
				"/guests/ba.elf" };
	set_modules(names, 4);
	assert_string_equal(found("exits.bin"), "build/guests/exits.bin");
	assert_string_equal(found("guests/exits.bin"), "build/guests/exits.bin");
	assert_string_equal(found("/guests/exits.bin"), "build/guests/exits.bin");
	assert_string_equal(found("build/guests/exits.bin"), "build/guests/exits.bin");
	assert_string_equal(found("/guests/a.elf"), "/guests/a.elf extra words");
	assert_string_equal(found("a.elf"), "/guests/a.elf extra words");
	assert_string_equal(found("ba.elf"), "/guests/ba.elf");
}

static void test_no_partial_component_match(void **state)
{
	(void)state;
	const char *names[] = { "/guests/ba.elf", "myexits.bin" };
	set_modules(names, 2);
	assert_null(found("a.elf"));
	assert_null(found("exits.bin"));
	assert_null(found(""));
	assert_null(found("/other/ba.elf/x"));
	assert_null(found("longer/than/any/module/guests/ba.elf"));
}

static void test_is_config(void **state)
{
	(void)state;
	const char *names[] = { "/boot/plinth.toml", "x.toml args", ".toml", "a.toml.bin", "toml" };
	set_modules(names, 5);
	assert_true(boot_module_is_config(&bi.modules[0]));
	assert_true(boot_module_is_config(&bi.modules[1]));
	assert_false(boot_module_is_config(&bi.modules[2]));
	assert_false(boot_module_is_config(&bi.modules[3]));
	assert_false(boot_module_is_config(&bi.modules[4]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_path_and_suffix),
		cmocka_unit_test(test_no_partial_component_match),
		cmocka_unit_test(test_is_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
