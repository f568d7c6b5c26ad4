/* Command-line parsing and console specs (core/cmdline.c, core/console_spec.c, drivers/uart_spec.c). */
#include "host_shim.h"

#include <string.h>

#include <plinth/cmdline.h>
#include <plinth/console_spec.h>
#include <plinth/errno.h>
#include <plinth/uart.h>

static void test_get_finds_values(void **state)
{
	(void)state;
	char v[32];

	assert_int_equal(cmdline_get("/boot/plinth.elf console=com2,9600 test=fault", "console", v, sizeof(v)), 0);
	assert_string_equal(v, "com2,9600");
	assert_int_equal(cmdline_get("a=1  \tb=2", "b", v, sizeof(v)), 0);
	assert_string_equal(v, "2");
	assert_int_equal(cmdline_get("test=", "test", v, sizeof(v)), 0); /* present, empty */
	assert_string_equal(v, "");
}

static void test_get_matches_whole_keys_only(void **state)
{
	(void)state;
	char v[32];

	assert_int_equal(cmdline_get("xtest=1 testx=2", "test", v, sizeof(v)), -E_NOENT);
	assert_int_equal(cmdline_get("test", "test", v, sizeof(v)), -E_NOENT);
	assert_int_equal(cmdline_get("", "test", v, sizeof(v)), -E_NOENT);
}

static void test_get_last_wins(void **state)
{
	(void)state;
	char v[32];

	assert_int_equal(cmdline_get("loglevel=info loglevel=debug", "loglevel", v, sizeof(v)), 0);
	assert_string_equal(v, "debug");
}

static void test_get_truncates_and_says_so(void **state)
{
	(void)state;
	char v[4];

	assert_int_equal(cmdline_get("k=abcdef", "k", v, sizeof(v)), -E_NOSPC);
	assert_string_equal(v, "abc");
	assert_int_equal(cmdline_get("k=abc", "k", v, sizeof(v)), 0);
	assert_int_equal(cmdline_get("k=abc", "k", v, 0), -E_NOSPC);
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v;

	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("115200", &v), 0);
	assert_int_equal(v, 115200);
	assert_int_equal(parse_u64("0x3F8", &v), 0);
	assert_int_equal(v, 0x3f8);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -E_RANGE);
	assert_int_equal(parse_u64("0x10000000000000000", &v), -E_RANGE);
	assert_int_equal(parse_u64("", &v), -E_INVAL);
	assert_int_equal(parse_u64("0x", &v), -E_INVAL);
	assert_int_equal(parse_u64("12a", &v), -E_INVAL);
	assert_int_equal(parse_u64("-1", &v), -E_INVAL);
}

static void test_parse_size(void **state)
{
	(void)state;
	uint64_t v;

	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("512K", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(parse_size("16M", &v), 0);
	assert_int_equal(v, 16 << 20);
	assert_int_equal(parse_size("2g", &v), 0);
	assert_true(v == 2ULL << 30);
	assert_int_equal(parse_size("0x10M", &v), 0);
	assert_int_equal(v, 16 << 20);
	assert_int_equal(parse_size("17179869184G", &v), -E_RANGE);
	assert_int_equal(parse_size("M", &v), -E_INVAL);
	assert_int_equal(parse_size("", &v), -E_INVAL);
	assert_int_equal(parse_size("12X", &v), -E_INVAL);
	assert_int_equal(parse_size("1.5G", &v), -E_INVAL);
}

static void test_uart_spec(void **state)
{
	(void)state;
	uint16_t port;
	uint32_t baud;

	assert_int_equal(uart_parse_spec("com1", &port, &baud), 0);
	assert_int_equal(port, 0x3f8);
	assert_int_equal(baud, 115200);
	assert_int_equal(uart_parse_spec("com2,57600", &port, &baud), 0);
	assert_int_equal(port, 0x2f8);
	assert_int_equal(baud, 57600);
	assert_int_equal(uart_parse_spec("ttyS3,9600", &port, &baud), 0);
	assert_int_equal(port, 0x2e8);
	assert_int_equal(uart_parse_spec("0x3e8", &port, &baud), 0);
	assert_int_equal(port, 0x3e8);

	assert_int_equal(uart_parse_spec("com5", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("com1,", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("com1,1000", &port, &baud), -E_INVAL); /* not a divisor */
	assert_int_equal(uart_parse_spec("com1,230400", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("com1,0", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec(",115200", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("0x0", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("0x10000", &port, &baud), -E_INVAL);
	assert_int_equal(uart_parse_spec("averyveryverylongnamethatdoesnotfit", &port, &baud), -E_INVAL);
}

static void test_console_spec(void **state)
{
	(void)state;
	struct console_spec cs;
	const char *why;

	assert_int_equal(console_spec_parse("com2,9600", &cs, &why), 0);
	assert_true(cs.has_serial);
	assert_int_equal(cs.port, 0x2f8);
	assert_int_equal(cs.baud, 9600);
	assert_string_equal(cs.serial, "com2,9600");
	assert_int_equal(cs.screen, SCREEN_UNSAID);

	assert_int_equal(console_spec_parse("noscreen", &cs, &why), 0);
	assert_false(cs.has_serial);
	assert_int_equal(cs.screen, SCREEN_OFF);
	assert_int_equal(console_spec_parse("screen+ttyS1", &cs, &why), 0);
	assert_int_equal(cs.screen, SCREEN_ON);
	assert_int_equal(cs.port, 0x2f8);
	assert_int_equal(console_spec_parse("com1,115200+noscreen", &cs, &why), 0);
	assert_int_equal(cs.port, 0x3f8);
	assert_int_equal(cs.screen, SCREEN_OFF);

	/* each mistake is named */
	assert_int_equal(console_spec_parse("", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "empty part"));
	assert_int_equal(console_spec_parse("com1++screen", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "empty part"));
	assert_int_equal(console_spec_parse("screen+", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "empty part"));
	assert_int_equal(console_spec_parse("screen+noscreen", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "twice"));
	assert_int_equal(console_spec_parse("com1+com2", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "second serial port"));
	assert_int_equal(console_spec_parse("com9", &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "not a serial port"));
	assert_int_equal(console_spec_parse("Screen", &cs, &why), -E_INVAL);
	assert_int_equal(console_spec_parse("screen+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					    &cs, &why), -E_INVAL);
	assert_non_null(strstr(why, "longer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_finds_values),
		cmocka_unit_test(test_get_matches_whole_keys_only),
		cmocka_unit_test(test_get_last_wins),
		cmocka_unit_test(test_get_truncates_and_says_so),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_uart_spec),
		cmocka_unit_test(test_console_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
