/* Configuration file parser (core/config_*.c, docs/config.md). */
#include "host_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/config.h>
#include <plinth/errno.h>

static struct cfg cfg;

/* Parse s from a heap buffer of exactly its length (ASan sees overreads). */
static int parse(const char *s)
{
	size_t n = strlen(s);
	char *buf = malloc(n ? n : 1);
	assert_non_null(buf);
	memcpy(buf, s, n);
	int err = cfg_parse(&cfg, "plinth.toml", buf, n);
	free(buf);
	return err;
}

/* The file has exactly one error, with this message. */
static void expect_error(const char *s, const char *msg)
{
	assert_int_equal(parse(s), -E_INVAL);
	if (cfg.nerrors != 1)
		fail_msg("%u errors, first: %s", cfg.nerrors, cfg.errors[0]);
	assert_string_equal(cfg_error(&cfg, 0), msg);
}

#define DOTTED_HINT " (use [hypervisor] or [[guest]] and plain keys)"
#define G "[[guest]]\nname = \"web\"\nkernel = \"/guests/vmlinuz\"\n"

static void test_full_example(void **state)
{
	(void)state;
	assert_int_equal(parse(
		"[hypervisor]\n"
		"console = \"com1,115200\"\n"
		"log_level = \"debug\"\n"
		"scheduler = \"credit\"\n"
		"\n"
		"[[guest]]\n"
		"name = \"web\"\n"
		"kernel = \"/guests/vmlinuz\"        # comment\n"
		"initrd = \"/guests/web.cpio.gz\"\n"
		"cmdline = \"console=ttyS0 quiet\"\n"
		"memory = \"512M\"\n"
		"vcpus = 2\n"
		"weight = 1_024\n"
		"cap = 50\n"
		"cpus = [1, 2]\n"
		"format = \"bzimage\"\n"
		"autostart = false\n"
		"on_crash = \"restart\"\n"
		"serial = \"com2\"\n"), 0);
	assert_int_equal(cfg.nerrors, 0);
	assert_true(cfg.has_hypervisor);
	assert_string_equal(cfg.hv.console, "com1,115200");
	assert_string_equal(cfg.hv.log_level, "debug");
	assert_int_equal(cfg.nguests, 1);
	const struct cfg_guest *g = &cfg.guests[0];
	assert_string_equal(g->name, "web");
	assert_string_equal(g->kernel, "/guests/vmlinuz");
	assert_string_equal(g->initrd, "/guests/web.cpio.gz");
	assert_string_equal(g->cmdline, "console=ttyS0 quiet");
	assert_false(g->memory_is_int);
	assert_string_equal(g->memory_str, "512M");
	assert_int_equal(g->memory_bytes, 512ULL << 20);
	assert_int_equal(g->vcpus, 2);
	assert_int_equal(g->weight, 1024);
	assert_int_equal(g->cap, 50);
	assert_int_equal(g->ncpus, 2);
	assert_int_equal(g->cpus[0], 1);
	assert_int_equal(g->cpus[1], 2);
	assert_string_equal(g->format, "bzimage");
	assert_false(g->autostart);
	assert_string_equal(g->on_crash, "restart");
	assert_string_equal(g->serial, "com2");
	assert_string_equal(g->mode, "prot32");
	assert_int_equal(g->line, 6);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(G), 0);
	assert_false(cfg.has_hypervisor);
	assert_string_equal(cfg.hv.console, "com1");
	assert_string_equal(cfg.hv.log_level, "info");
	assert_string_equal(cfg.hv.scheduler, "credit");
	assert_int_equal(cfg.hv.sched_slice_ms, 30);
	assert_int_equal(cfg.hv.sched_tick_ms, 10);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	assert_false(cfg.hv.reserve_is_int);
	assert_string_equal(cfg.hv.reserve_str, "16M");
	assert_int_equal(cfg.hv.reserve_bytes, 16ULL << 20);
	/* an empty [hypervisor] has the same defaults */
	assert_int_equal(parse("[hypervisor]\n"), 0);
	assert_int_equal(cfg.hv.present, 0);
	assert_int_equal(cfg.hv.sched_slice_ms, 30);
	assert_int_equal(cfg.hv.sched_tick_ms, 10);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	assert_int_equal(cfg.hv.reserve_bytes, 16ULL << 20);
	assert_int_equal(parse(G), 0);
	const struct cfg_guest *g = &cfg.guests[0];
	assert_int_equal(g->memory_bytes, 16ULL << 20);
	assert_int_equal(g->vcpus, 1);
	assert_int_equal(g->weight, 256);
	assert_int_equal(g->cap, 0);
	assert_int_equal(g->ncpus, 0);
	assert_string_equal(g->format, "auto");
	assert_true(g->autostart);
	assert_string_equal(g->on_crash, "destroy");
	assert_string_equal(g->serial, "console");
	assert_string_equal(g->mode, "prot32");
	assert_int_equal(g->present, (1u << CFG_G_NAME) | (1u << CFG_G_KERNEL));
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(parse(G "memory = 0x20\nweight = +7\ncmdline = 'C:\\x \"y\"'\n"
			       "initrd = \"\\u00e9\\t\\\\\\\"\\n\"\r\n"
			       "cpus = [\n  3, # c\n  0,\n]\nformat = \"flat\"\nmode = \"real\"\n"), 0);
	const struct cfg_guest *g = &cfg.guests[0];
	assert_true(g->memory_is_int);
	assert_int_equal(g->memory_int, 32);
	assert_int_equal(g->memory_bytes, 32ULL << 20);
	assert_int_equal(g->weight, 7);
	assert_string_equal(g->cmdline, "C:\\x \"y\"");
	assert_string_equal(g->initrd, "\xc3\xa9\t\\\"\n");
	assert_int_equal(g->ncpus, 2);
	assert_int_equal(g->cpus[0], 3);
	assert_string_equal(g->mode, "real");
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(parse(G "memory = \"2G\"\n"), 0);
	assert_int_equal(cfg.guests[0].memory_bytes, 2ULL << 30);
	assert_int_equal(parse(G "memory = \"4096K\"\n"), 0);
	assert_int_equal(cfg.guests[0].memory_bytes, 4ULL << 20);
	expect_error(G "memory = \"12X\"\n",
		     "plinth.toml:4:10: memory: \"12X\" is not a size (use e.g. 512M)");
	expect_error(G "memory = \"\"\n",
		     "plinth.toml:4:10: memory: \"\" is not a size (use e.g. 512M)");
	expect_error(G "memory = \"512\"\n",
		     "plinth.toml:4:10: memory: \"512\" is out of range (1M-64G)");
	expect_error(G "memory = 65537\n",
		     "plinth.toml:4:10: memory: 65537 is out of range (1-65536 MiB)");
	expect_error(G "memory = \"99999999999999999999G\"\n",
		     "plinth.toml:4:10: memory: \"99999999999999999999G\" is out of range (1M-64G)");
}

static void test_guest_errors_skip_only_that_guest(void **state)
{
	(void)state;
	assert_int_equal(parse(G "vcpus = 5\n"
			       "[[guest]]\nname = \"db\"\nkernel = \"k\"\n"
			       "[[guest]]\nname = \"web\"\nkernel = \"k\"\n"
			       "[[guest]]\nname = \"x\"\n"
			       "[[guest]]\nname = \"db\"\nkernel = \"k\"\n"), -E_INVAL);
	assert_int_equal(cfg.nerrors, 3);
	assert_string_equal(cfg.errors[0], "plinth.toml:4:9: vcpus: 5 is out of range (1-4)");
	/* "web" was skipped, so the second "web" is the first valid one */
	assert_string_equal(cfg.errors[1],
			    "plinth.toml:11:1: kernel: required key is missing in this [[guest]]");
	assert_string_equal(cfg.errors[2],
			    "plinth.toml:14:8: name: guest \"db\" is already defined at line 5");
	assert_int_equal(cfg.nguests, 2);
	assert_string_equal(cfg.guests[0].name, "db");
	assert_string_equal(cfg.guests[1].name, "web");
	assert_int_equal(cfg.guests[1].line, 8);
}

static void test_syntax_error_gives_no_guests(void **state)
{
	(void)state;
	expect_error(G "[hypervisor]\nlog_level = \"debug\"\n[[guest]]\nname = \"b\"\nx.y = 1\n",
		     "plinth.toml:8:2: dotted keys are not supported" DOTTED_HINT);
	assert_true(cfg.syntax_error);
	assert_int_equal(cfg.nguests, 0);
	assert_false(cfg.has_hypervisor);
	assert_string_equal(cfg.hv.log_level, "info");
}

static void test_type_and_range_errors(void **state)
{
	(void)state;
	expect_error(G "vcpus = \"2\"\n", "plinth.toml:4:9: vcpus: expected an integer, not a string");
	expect_error(G "autostart = 1\n",
		     "plinth.toml:4:13: autostart: expected a boolean, not an integer");
	expect_error(G "cpus = 1\n", "plinth.toml:4:8: cpus: expected an array, not an integer");
	expect_error(G "name = \"x\"\n", "plinth.toml:4:1: name: duplicate key (first set at line 2)");
	expect_error(G "cpus = [0, -1]\n", "plinth.toml:4:12: cpus: CPU -1 is out of range (0-255)");
	expect_error(G "weight = 65536\n", "plinth.toml:4:10: weight: 65536 is out of range (1-65535)");
	expect_error(G "cap = 401\n", "plinth.toml:4:7: cap: 401 is out of range (0-400)");
	expect_error(G "format = \"flat\"\nformat = \"elf\"\n",
		     "plinth.toml:5:1: format: duplicate key (first set at line 4)");
	expect_error("[[guest]]\nname = \"abcdefghijabcdefghijabcdefghij12\"\nkernel = \"k\"\n",
		     "plinth.toml:2:8: name: \"abcdefghijabcdefghijabcdefghij12\" is not a valid "
		     "name (use 1-31 letters, digits, '-', '_' or '.')");
	expect_error(G "cmdline = \"a\\nb\"\nserial = \"a\\u0001\"\n",
		     "plinth.toml:5:10: serial: \"a\\u0001\" is not valid "
		     "(use console, com1, com2, com3, com4 or none)");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	static const struct { const char *in, *msg; } cases[] = {
		{ "[[guest]\n", "plinth.toml:1:8: expected ']]' to end the header" },
		{ "[guest.x]\n", "plinth.toml:1:7: dotted keys are not supported" DOTTED_HINT },
		{ "['guest']\n",
		  "plinth.toml:1:2: quoted keys are not supported (use a bare key such as vcpus)" },
		{ "[]\n", "plinth.toml:1:2: expected a key" },
		{ "= 1\n", "plinth.toml:1:1: expected a key before '='" },
		{ G "x = {}\n", "plinth.toml:4:5: inline tables are not supported "
		  "(use a [table] with one key per line)" },
		{ G "x = 1.0\n", "plinth.toml:4:5: floats are not supported (use an integer)" },
		{ G "x = -nan\n", "plinth.toml:4:5: floats are not supported (use an integer)" },
		{ G "x = 12:30:00\n", "plinth.toml:4:5: dates and times are not supported (use a string)" },
		{ G "x = \"\"\"a\"\"\"\n",
		  "plinth.toml:4:5: multi-line strings are not supported (use \"...\" with \\n)" },
		{ G "x = \"abc", "plinth.toml:4:5: unterminated string (close it on the same line)" },
		{ G "x = 'abc\n'", "plinth.toml:4:5: unterminated string (close it on the same line)" },
		{ G "x = \"\\", "plinth.toml:4:6: bad escape (use \\\" \\\\ \\n \\t or \\uXXXX)" },
		{ G "x = \"\\u12\"", "plinth.toml:4:6: \\u needs 4 hex digits" },
		{ G "x = \"\\u0000\"", "plinth.toml:4:6: \\u0000 is not allowed" },
		{ G "x = \"\\U0001F600\"",
		  "plinth.toml:4:6: escape \\U is not supported (use \\\" \\\\ \\n \\t or \\uXXXX)" },
		{ G "x = [1, 2", "plinth.toml:4:5: unterminated array" },
		{ G "x = [1 2]", "plinth.toml:4:8: expected ',' or ']' in an array" },
		{ G "x = [true, 1]", "plinth.toml:4:12: arrays must hold one type (integer after boolean)" },
		{ G "x = 0x", "plinth.toml:4:5: invalid number (use e.g. 42 or 0x2a)" },
		{ G "x = 0X1F", "plinth.toml:4:5: invalid number (hexadecimal is 0x...)" },
		{ G "x = 1_", "plinth.toml:4:5: underscores must be between digits (use e.g. 1_000)" },
		{ G "x = _1", "plinth.toml:4:5: expected a value (strings need quotes)" },
		{ G "x = 12abc", "plinth.toml:4:5: invalid number (use e.g. 42 or 0x2a)" },
		{ G "x = -9223372036854775809", "plinth.toml:4:5: integer is too large (at most 64 bits)" },
		{ G "x = truex", "plinth.toml:4:5: expected a value (strings need quotes)" },
		{ G "x =", "plinth.toml:4:4: expected a value" },
		{ G "x = 1 # a\x7f", "plinth.toml:4:10: control character in a comment" },
		{ G "x = 1\ry = 2", "plinth.toml:4:6: expected the end of the line" },
		{ G "x = '\xff'", "plinth.toml:4:6: invalid UTF-8" },
		{ G "x = '\xc0\x80'", "plinth.toml:4:6: invalid UTF-8" },
		{ G "x = \"\xed\xa0\x80\"", "plinth.toml:4:6: invalid UTF-8" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_error(cases[i].in, cases[i].msg);
		assert_true(cfg.syntax_error);
		assert_int_equal(cfg.nguests, 0);
	}
}

static void test_edge_values(void **state)
{
	(void)state;
	/* the most negative integer parses (and is then out of range) */
	expect_error(G "cap = -9223372036854775808\n",
		     "plinth.toml:4:7: cap: -9223372036854775808 is out of range (0-400)");
	/* empty file, comments only, CRLF, no final newline */
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("# only a comment"), 0);
	assert_int_equal(parse("[hypervisor]\r\n\r\n[[guest]]\r\nname='a'\r\nkernel='k'"), 0);
	assert_int_equal(cfg.nguests, 1);
	assert_int_equal(parse(G "cpus = []\n"), 0);
	assert_int_equal(cfg.guests[0].ncpus, 0);
	/* NUL bytes in the buffer are not the end of the input */
	assert_int_equal(cfg_parse(&cfg, "f", "[[guest]]\nname = \"a\0\"\n", 22), -E_INVAL);
	assert_string_equal(cfg.errors[0], "f:2:10: control character in a string "
			    "(use an escape such as \\n)");
	/* a NULL buffer is an empty file */
	assert_int_equal(cfg_parse(&cfg, "f", NULL, 5), 0);
}

static void test_error_limit(void **state)
{
	(void)state;
	char buf[8192];
	size_t n = 0;
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "k%d = 1\n", i);
	assert_int_equal(parse(buf), -E_INVAL);
	assert_int_equal(cfg.nerrors, 40);
	assert_string_equal(cfg.errors[CFG_MAX_ERRORS - 1],
			    "plinth.toml:32:1: k31: keys must be inside [hypervisor], [console] or [[guest]]");
}

static void test_too_many_guests(void **state)
{
	(void)state;
	static char buf[8192];
	size_t n = 0;
	for (int i = 0; i < CFG_MAX_GUESTS + 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "[[guest]]\nname = \"g%d\"\nkernel = \"k\"\n", i);
	expect_error(buf, "plinth.toml:49:3: guest: too many guests (at most 16)");
	assert_int_equal(cfg.nguests, CFG_MAX_GUESTS);
}

static void test_more_errors(void **state)
{
	(void)state;
	static char buf[4096];
	size_t n;

	expect_error(G "cpus = [" "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
		     "24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,"
		     "47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64]\n",
		     "plinth.toml:4:8: cpus: too many CPUs (at most 64)");
	n = (size_t)snprintf(buf, sizeof(buf), G "cmdline = \"");
	for (int i = 0; i < 256; i++)
		buf[n++] = 'x';
	strcpy(buf + n, "\"\n");
	expect_error(buf, "plinth.toml:4:11: cmdline: string is too long (at most 255 bytes)");
	/* 255 bytes fit */
	strcpy(buf + n - 1, "\"\n");
	assert_int_equal(parse(buf), 0);
	assert_int_equal(strlen(cfg.guests[0].cmdline), 255);
	expect_error(G "kernel = \"x\"\n", "plinth.toml:4:1: kernel: duplicate key (first set at line 3)");
	expect_error("[[guest]]\nname = \"a\"\nkernel = ''\n",
		     "plinth.toml:3:10: kernel: must not be empty (use e.g. \"/guests/vmlinuz\")");
	expect_error(G "memory = [1]\n", "plinth.toml:4:10: memory: expected a string (e.g. "
		     "\"512M\") or an integer (MiB), not an array");
	expect_error(G "memory = \"4097K\"\n", "plinth.toml:4:10: memory: \"4097K\" is not a multiple of 4K");
	expect_error(G "cpus = [true]\n",
		     "plinth.toml:4:8: cpus: expected an array of integers, not of booleans");
	expect_error(G "cpus = [1,\r\n  1]\n", "plinth.toml:5:3: cpus: CPU 1 is listed twice");
	expect_error(G "format = \"elf\"\nmode = \"real\"\n",
		     "plinth.toml:5:1: mode: only applies to format = \"flat\" (not \"elf\")");
	assert_int_equal(parse(G "mode = \"real\"\nformat = \"auto\"\n"), 0);
	/* a quoted value in a message is shortened, escapes and all */
	expect_error(G "serial = \"\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\"\n",
		     "plinth.toml:4:10: serial: \"\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001"
		     "\\u0001\\u0001...\" is not valid (use console, com1, com2, com3, com4 or none)");
	expect_error(G "serial = \"a\\\"b\\\\c\\td\\u00e9abcdefghijabcdefghijabcdefghijabcdefghij\"\n",
		     "plinth.toml:4:10: serial: \"a\\\"b\\\\c\\td\xc3\xa9"
		     "abcdefghijabcdefghijabcdefghijabcdefghi...\" is not valid "
		     "(use console, com1, com2, com3, com4 or none)");
	expect_error("[hypervisor]\nconsole = \"com5\"\n",
		     "plinth.toml:2:11: console: \"com5\": not a serial port (use e.g. com1,115200), screen or noscreen");
	assert_int_equal(cfg.hv.present, 0);
	assert_string_equal(cfg.hv.console, "com1");
	expect_error("[hypervisor]\nconsole = 1\n",
		     "plinth.toml:2:11: console: expected a string, not an integer");
	expect_error("[hypervisor]\nlevel = 1\n", "plinth.toml:2:1: level: unknown key in "
		     "[hypervisor] (known: console, log_level, scheduler, sched_slice_ms, "
		     "sched_tick_ms, sched_ratelimit_us, reserve, console_escape, console_buffer)");
	expect_error("[hypervisor]\n[hypervisor]\nlog_level = \"x\"\n",
		     "plinth.toml:2:2: hypervisor: duplicate table (first at line 1)");
	expect_error("[[hypervisor]]\n", "plinth.toml:1:3: hypervisor: use [hypervisor], not [[hypervisor]]");
	expect_error("[guest]\nname = 1\n", "plinth.toml:1:2: guest: use [[guest]] for each guest, not [guest]");
	expect_error("[ xen ]\nname = 1\n", "plinth.toml:1:3: xen: unknown table (use [hypervisor], [console] or [[guest]])");
}

static void test_more_syntax(void **state)
{
	(void)state;
	static const struct { const char *in, *msg; } cases[] = {
		{ G "x = -0x1\n", "plinth.toml:4:5: hexadecimal integers cannot have a sign" },
		{ G "x = 0b101\n", "plinth.toml:4:5: octal and binary integers are not supported "
		  "(use decimal or 0x hex)" },
		{ G "x = 007\n", "plinth.toml:4:5: leading zeros are not allowed (use e.g. 8 or 0x08)" },
		{ G "x = [[1]]\n", "plinth.toml:4:6: nested arrays are not supported "
		  "(use one array of numbers)" },
		{ G "x = nan\n", "plinth.toml:4:5: floats are not supported (use an integer)" },
		{ G "x = \"\\uDFFF\"\n", "plinth.toml:4:6: \\uDFFF is not a character" },
		{ G "x = \"\xf0\x9f\x98\"\n", "plinth.toml:4:6: invalid UTF-8" },
		{ G "x = \"\xf4\x90\x80\x80\"\n", "plinth.toml:4:6: invalid UTF-8" },
		{ G "# \xe9\n", "plinth.toml:4:3: invalid UTF-8" },
		{ G "x = [ # \x01\n]\n", "plinth.toml:4:9: control character in a comment" },
		{ G "x = [1, # c\n", "plinth.toml:4:5: unterminated array" },
		{ G "x = [1, 'a\n", "plinth.toml:4:9: unterminated string (close it on the same line)" },
		{ G "x = [1 # c\n 2]\n", "plinth.toml:5:2: expected ',' or ']' in an array" },
		{ G "vcpus 2\n", "plinth.toml:4:7: expected '=' after the key" },
		{ "[hypervisor\n", "plinth.toml:1:12: expected ']' to end the header" },
		{ "[[guest] ]\n", "plinth.toml:1:8: expected ']]' to end the header" },
		{ "[hypervisor] x\n", "plinth.toml:1:14: expected the end of the line" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_error(cases[i].in, cases[i].msg);
		assert_true(cfg.syntax_error);
	}
	/* valid multi-byte characters: 2, 3 and 4 bytes, raw and escaped */
	assert_int_equal(parse(G "cmdline = \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\u20ac\\uFFFD\"\n"), 0);
	assert_string_equal(cfg.guests[0].cmdline,
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x82\xac\xef\xbf\xbd");
}

#define HV "[hypervisor]\n"
#define H(k) (1u << CFG_H_##k)

static void test_hv_sched(void **state)
{
	(void)state;
	assert_int_equal(parse(HV "sched_slice_ms = 100\nsched_tick_ms = 0x14\n"
			       "sched_ratelimit_us = 100_000\n"), 0);
	assert_int_equal(cfg.hv.sched_slice_ms, 100);
	assert_int_equal(cfg.hv.sched_tick_ms, 20);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 100000);
	assert_int_equal(cfg.hv.present, H(SCHED_SLICE_MS) | H(SCHED_TICK_MS) | H(SCHED_RATELIMIT_US));
	/* the bounds: tick = slice, ratelimit = slice * 1000 or 0 */
	assert_int_equal(parse(HV "sched_tick_ms = 1\nsched_slice_ms = 1\nsched_ratelimit_us = 1000\n"), 0);
	assert_int_equal(cfg.hv.sched_slice_ms, 1);
	assert_int_equal(cfg.hv.sched_tick_ms, 1);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	assert_int_equal(parse(HV "sched_slice_ms = 1000\nsched_tick_ms = 1000\nsched_ratelimit_us = 0\n"), 0);
	assert_int_equal(cfg.hv.sched_tick_ms, 1000);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 0);
	/* a slice shorter than the default tick shortens the tick, silently */
	assert_int_equal(parse(HV "sched_slice_ms = 4\n"), 0);
	assert_int_equal(cfg.hv.sched_tick_ms, 4);
	assert_int_equal(cfg.hv.present, H(SCHED_SLICE_MS));
	/* ranges and types */
	expect_error(HV "sched_slice_ms = 0\n",
		     "plinth.toml:2:18: sched_slice_ms: 0 is out of range (1-1000)");
	assert_int_equal(cfg.hv.sched_slice_ms, 30);
	expect_error(HV "sched_slice_ms = 1001\n",
		     "plinth.toml:2:18: sched_slice_ms: 1001 is out of range (1-1000)");
	expect_error(HV "sched_tick_ms = 0\n",
		     "plinth.toml:2:17: sched_tick_ms: 0 is out of range (1-1000)");
	expect_error(HV "sched_ratelimit_us = -1\n",
		     "plinth.toml:2:22: sched_ratelimit_us: -1 is out of range (0-100000)");
	expect_error(HV "sched_ratelimit_us = 100001\n",
		     "plinth.toml:2:22: sched_ratelimit_us: 100001 is out of range (0-100000)");
	expect_error(HV "sched_slice_ms = \"30\"\n",
		     "plinth.toml:2:18: sched_slice_ms: expected an integer, not a string");
	expect_error(HV "sched_tick_ms = true\n",
		     "plinth.toml:2:17: sched_tick_ms: expected an integer, not a boolean");
	expect_error(HV "sched_ratelimit_us = [1]\n",
		     "plinth.toml:2:22: sched_ratelimit_us: expected an integer, not an array");
	expect_error(HV "sched_tick_ms = 5\nsched_tick_ms = 5\n",
		     "plinth.toml:3:1: sched_tick_ms: duplicate key (first set at line 2)");
	assert_int_equal(cfg.hv.sched_tick_ms, 5);
}

static void test_hv_sched_cross_checks(void **state)
{
	(void)state;
	/* reported at the offending value, in either order, and it falls back */
	expect_error(HV "sched_slice_ms = 30\nsched_tick_ms = 50\n",
		     "plinth.toml:3:17: sched_tick_ms: 50 is more than sched_slice_ms (30)");
	assert_int_equal(cfg.hv.sched_tick_ms, 10);
	assert_int_equal(cfg.hv.present, H(SCHED_SLICE_MS));
	expect_error(HV "sched_tick_ms =  8\nsched_slice_ms = 5\n",
		     "plinth.toml:2:18: sched_tick_ms: 8 is more than sched_slice_ms (5)");
	/* the default tick (10) would not fit in the slice either: shortened */
	assert_int_equal(cfg.hv.sched_slice_ms, 5);
	assert_int_equal(cfg.hv.sched_tick_ms, 5);
	/* against the default slice */
	expect_error(HV "sched_tick_ms = 31\n",
		     "plinth.toml:2:17: sched_tick_ms: 31 is more than sched_slice_ms (30)");
	expect_error(HV "sched_ratelimit_us = 30001\n",
		     "plinth.toml:2:22: sched_ratelimit_us: 30001 is more than sched_slice_ms "
		     "(30 ms = 30000 us)");
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	assert_int_equal(cfg.hv.present, 0);
	expect_error(HV "sched_ratelimit_us = 2500\nlog_level = \"warn\"\nsched_slice_ms = 2\n",
		     "plinth.toml:2:22: sched_ratelimit_us: 2500 is more than sched_slice_ms "
		     "(2 ms = 2000 us)");
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	assert_int_equal(cfg.hv.sched_tick_ms, 2);
	assert_string_equal(cfg.hv.log_level, "warn");
	/* a slice in error is the default 30 for the other keys */
	assert_int_equal(parse(HV "sched_slice_ms = 2000\nsched_tick_ms = 40\n"
			       "sched_ratelimit_us = 20000\n"), -E_INVAL);
	assert_int_equal(cfg.nerrors, 2);
	assert_string_equal(cfg.errors[0],
			    "plinth.toml:2:18: sched_slice_ms: 2000 is out of range (1-1000)");
	assert_string_equal(cfg.errors[1],
			    "plinth.toml:3:17: sched_tick_ms: 40 is more than sched_slice_ms (30)");
	assert_int_equal(cfg.hv.sched_slice_ms, 30);
	assert_int_equal(cfg.hv.sched_tick_ms, 10);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 20000);
	/* both at once, after the table's other errors, before the next table's */
	assert_int_equal(parse(HV "sched_tick_ms = 9\nsched_ratelimit_us = 9000\n"
			       "sched_slice_ms = 3\nconsole = 1\n" G "vcpus = 9\n"), -E_INVAL);
	assert_int_equal(cfg.nerrors, 4);
	assert_string_equal(cfg.errors[0], "plinth.toml:5:11: console: expected a string, "
			    "not an integer");
	assert_string_equal(cfg.errors[1],
			    "plinth.toml:2:17: sched_tick_ms: 9 is more than sched_slice_ms (3)");
	assert_string_equal(cfg.errors[2], "plinth.toml:3:22: sched_ratelimit_us: 9000 is more "
			    "than sched_slice_ms (3 ms = 3000 us)");
	assert_string_equal(cfg.errors[3], "plinth.toml:9:9: vcpus: 9 is out of range (1-4)");
	assert_int_equal(cfg.hv.sched_tick_ms, 3);
	assert_int_equal(cfg.hv.sched_ratelimit_us, 1000);
	/* the table ends at the end of the file too (no final newline) */
	expect_error(G HV "sched_tick_ms = 31",
		     "plinth.toml:5:17: sched_tick_ms: 31 is more than sched_slice_ms (30)");
	assert_int_equal(cfg.nguests, 1);
	/* keys of a duplicate [hypervisor] are ignored, also for the checks */
	expect_error(HV "sched_slice_ms = 5\n" HV "sched_tick_ms = 50\n",
		     "plinth.toml:3:2: hypervisor: duplicate table (first at line 1)");
	assert_int_equal(cfg.hv.sched_tick_ms, 5);
	/* a syntax error later drops [hypervisor] (defaults) but keeps the message */
	assert_int_equal(parse(HV "sched_tick_ms = 50\n" G "x = 1.5\n"), -E_INVAL);
	assert_int_equal(cfg.nerrors, 2);
	assert_true(cfg.syntax_error);
	assert_int_equal(cfg.hv.sched_tick_ms, 10);
	assert_int_equal(cfg.hv.sched_slice_ms, 30);
}

static void test_hv_reserve(void **state)
{
	(void)state;
	assert_int_equal(parse(HV "reserve = \"64M\"\n"), 0);
	assert_false(cfg.hv.reserve_is_int);
	assert_string_equal(cfg.hv.reserve_str, "64M");
	assert_int_equal(cfg.hv.reserve_bytes, 64ULL << 20);
	assert_int_equal(cfg.hv.present, H(RESERVE));
	assert_int_equal(parse(HV "reserve = 128\n"), 0);
	assert_true(cfg.hv.reserve_is_int);
	assert_int_equal(cfg.hv.reserve_int, 128);
	assert_int_equal(cfg.hv.reserve_bytes, 128ULL << 20);
	assert_int_equal(parse(HV "reserve = 0\n"), 0);
	assert_int_equal(cfg.hv.reserve_bytes, 0);
	assert_int_equal(parse(HV "reserve = '0'\n"), 0);
	assert_int_equal(cfg.hv.reserve_bytes, 0);
	assert_string_equal(cfg.hv.reserve_str, "0");
	assert_int_equal(parse(HV "reserve = \"64G\"\n"), 0);
	assert_int_equal(cfg.hv.reserve_bytes, 64ULL << 30);
	assert_int_equal(parse(HV "reserve = \"8k\"\n"), 0);
	assert_int_equal(cfg.hv.reserve_bytes, 8192);
	assert_int_equal(parse(HV "reserve = 65536\n"), 0);
	expect_error(HV "reserve = \"12X\"\n",
		     "plinth.toml:2:11: reserve: \"12X\" is not a size (use e.g. 64M)");
	assert_string_equal(cfg.hv.reserve_str, "16M");
	assert_int_equal(cfg.hv.reserve_bytes, 16ULL << 20);
	assert_int_equal(cfg.hv.present, 0);
	expect_error(HV "reserve = \"-4K\"\n",
		     "plinth.toml:2:11: reserve: \"-4K\" is not a size (use e.g. 64M)");
	expect_error(HV "reserve = -1\n",
		     "plinth.toml:2:11: reserve: -1 is out of range (0-65536 MiB)");
	expect_error(HV "reserve = 65537\n",
		     "plinth.toml:2:11: reserve: 65537 is out of range (0-65536 MiB)");
	expect_error(HV "reserve = \"65537M\"\n",
		     "plinth.toml:2:11: reserve: \"65537M\" is out of range (0-64G)");
	expect_error(HV "reserve = \"6K\"\n",
		     "plinth.toml:2:11: reserve: \"6K\" is not a multiple of 4K");
	expect_error(HV "reserve = true\n", "plinth.toml:2:11: reserve: expected a string "
		     "(e.g. \"64M\") or an integer (MiB), not a boolean");
	/* the guest memory key, which shares the code, keeps its own limits */
	expect_error(G "memory = 0\n", "plinth.toml:4:10: memory: 0 is out of range (1-65536 MiB)");
	expect_error(G "memory = \"0\"\n", "plinth.toml:4:10: memory: \"0\" is out of range (1M-64G)");
}

/* [hypervisor] console_escape / console_buffer and [console] (docs/console.md). */
static void test_console_keys(void **state)
{
	static const char hash[] = "sha256$0011$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a";
	char text[512];

	(void)state;
	assert_int_equal(parse(G), 0);
	assert_false(cfg.has_console);
	assert_int_equal(cfg.hv.console_escape_byte, 0x1D);
	assert_string_equal(cfg.hv.console_escape, "^]");
	assert_int_equal(cfg.hv.console_buffer_bytes, 16384);
	assert_string_equal(cfg.console.admin_password_hash, "");
	assert_int_equal(cfg.console.lockout_seconds, 60);

	snprintf(text, sizeof(text), "[console]\nadmin_password_hash = \"%s\"\nlockout_seconds = 5\n"
		 "[hypervisor]\nconsole_escape = \"^b\"\nconsole_buffer = 0\n", hash);
	assert_int_equal(parse(text), 0);
	assert_true(cfg.has_console);
	assert_string_equal(cfg.console.admin_password_hash, hash);
	assert_int_equal(cfg.console.lockout_seconds, 5);
	assert_int_equal(cfg.hv.console_escape_byte, 2);
	assert_int_equal(cfg.hv.console_buffer_bytes, 0);
	assert_int_equal(parse("[hypervisor]\nconsole_escape = \"^_\"\nconsole_buffer = 1\n"), 0);
	assert_int_equal(cfg.hv.console_escape_byte, 0x1F);
	assert_int_equal(cfg.hv.console_buffer_bytes, 1 << 20);

	expect_error("[hypervisor]\nconsole_escape = \"]\"\n", "plinth.toml:2:18: console_escape: "
		     "\"]\" is not a control key (use e.g. \"^]\" for Ctrl-])");
	expect_error("[hypervisor]\nconsole_escape = \"^`\"\n", "plinth.toml:2:18: console_escape: "
		     "\"^`\" is not a control key (use e.g. \"^]\" for Ctrl-])");
	expect_error("[hypervisor]\nconsole_escape = \"^[\"\n", "plinth.toml:2:18: console_escape: "
		     "\"^[\" is needed by terminals (NUL, backspace, tab, line ends, escape)");
	assert_int_equal(cfg.hv.console_escape_byte, 0x1D); /* an error leaves the default */
	expect_error("[hypervisor]\nconsole_buffer = \"1000\"\n",
		     "plinth.toml:2:18: console_buffer: \"1000\" is not a multiple of 4K");
	expect_error("[console]\nadmin_password_hash = \"sha256$zz$00\"\n",
		     "plinth.toml:2:23: admin_password_hash: not a password hash: the salt is not "
		     "lower-case hex (make one with `plinth-cfg passwd`)");
	assert_string_equal(cfg.console.admin_password_hash, "");
	expect_error("[console]\nlockout_seconds = 86401\n",
		     "plinth.toml:2:19: lockout_seconds: 86401 is out of range (1-86400)");
	expect_error("[[console]]\n", "plinth.toml:1:3: console: use [console], not [[console]]");
	expect_error("[console]\nweight = 1\n", "plinth.toml:2:1: weight: unknown key in [console] "
		     "(known: admin_password_hash, lockout_seconds)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_guest_errors_skip_only_that_guest),
		cmocka_unit_test(test_syntax_error_gives_no_guests),
		cmocka_unit_test(test_type_and_range_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_too_many_guests),
		cmocka_unit_test(test_more_errors),
		cmocka_unit_test(test_more_syntax),
		cmocka_unit_test(test_hv_sched),
		cmocka_unit_test(test_hv_sched_cross_checks),
		cmocka_unit_test(test_hv_reserve),
		cmocka_unit_test(test_console_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
