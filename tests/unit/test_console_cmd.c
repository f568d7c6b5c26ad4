/*
 * The console's command lines (core/console_cmd.c): splitting into words,
 * --json and key=value, the checks against a command's table entry (argument
 * counts, known keys, --json, role), the one-line errors, built-in help, and
 * JSON string escaping. The commands here are fakes that record their call.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <plinth/console_cmd.h>
#include <plinth/errno.h>

static char text[4096];
static size_t text_len;
static struct cmd_call last;
static int runs;

static void to_text(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	assert_true(text_len + n < sizeof(text));
	memcpy(text + text_len, s, n);
	text_len += n;
	text[text_len] = '\0';
}

static struct cmd_out out = { to_text, NULL };

static int record(const struct console_cmd *cmd, const struct cmd_call *call, struct cmd_out *o,
		  void *ctx)
{
	(void)cmd;
	(void)o;
	assert_ptr_equal(ctx, &runs);
	last = *call;
	runs++;
	return 0;
}

static int sched(const struct console_cmd *cmd, const struct cmd_call *call, struct cmd_out *o,
		 void *ctx)
{
	unsigned w = 0, c = 0;
	(void)cmd;
	(void)ctx;
	if (cmd_kv_uint(call, "weight", 1, 65535, &w, o) == -E_INVAL ||
	    cmd_kv_uint(call, "cap", 0, 100, &c, o) == -E_INVAL)
		return -E_INVAL;
	cmd_printf(o, "weight %u cap %u\n", w, c);
	return 0;
}

static const char *const sched_keys[] = { "weight", "cap", NULL };
static const struct console_cmd cmds[] = {
	{ "list", "[--json]", "guests and what they use", CONSOLE_OBSERVER, 0, 0, NULL, true, record },
	{ "info", "NAME [--json]", "one guest", CONSOLE_OBSERVER, 1, 1, NULL, true, record },
	{ "stop", "NAME", "hard stop", CONSOLE_ADMIN, 1, 1, NULL, false, record },
	{ "sched", "NAME [weight=W] [cap=C]", "set the share", CONSOLE_ADMIN, 1, 1, sched_keys,
	  false, sched },
};

static int run(const char *line, enum console_role role)
{
	char buf[CMD_LINE_MAX];

	snprintf(buf, sizeof(buf), "%s", line);
	text_len = 0;
	text[0] = '\0';
	memset(&last, 0, sizeof(last));
	runs = 0;
	return cmd_dispatch(cmds, sizeof(cmds) / sizeof(cmds[0]), buf, role, &out, &runs);
}

/* Exactly one line, starting "error: " and containing `part`. */
static void assert_error(const char *part)
{
	if (strncmp(text, "error: ", 7) || !strstr(text, part) || strchr(text, '\n') != text + text_len - 1)
		fail_msg("want one error line with \"%s\", got \"%s\"", part, text);
	assert_int_equal(runs, 0);
}

static void test_parse_words(void **state)
{
	char line[] = "  sched\tweb  weight=512 --json cap=50 x ";
	struct cmd_call c;
	const char *why = NULL;

	(void)state;
	assert_int_equal(cmd_parse(line, &c, &why), 0);
	assert_string_equal(c.name, "sched");
	assert_int_equal(c.nargs, 2);
	assert_string_equal(c.args[0], "web");
	assert_string_equal(c.args[1], "x");
	assert_int_equal(c.nkv, 2);
	assert_string_equal(c.kv[0].key, "weight");
	assert_string_equal(c.kv[0].value, "512");
	assert_string_equal(cmd_kv_get(&c, "cap"), "50");
	assert_null(cmd_kv_get(&c, "weigh"));
	assert_true(c.json);

	char empty[] = "   ";
	assert_int_equal(cmd_parse(empty, &c, &why), 0);
	assert_null(c.name);
}

static void test_parse_errors(void **state)
{
	static const struct { const char *line; const char *why; } bad[] = {
		{ "list --yaml", "unknown option" },
		{ "sched a =5", "key and a value" },
		{ "sched a weight=", "key and a value" },
		{ "list a b c d e f g h i", "too many words" },
		{ "list \x01", "printable" },
		{ "list \xc3\xa9", "printable" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run(bad[i].line, CONSOLE_ADMIN), -E_INVAL);
		assert_error(bad[i].why);
	}
	/* Eight words after the name still fit. */
	assert_int_equal(run("info a b c d e f g h", CONSOLE_ADMIN), -E_INVAL);
	assert_error("unexpected argument b");
}

static void test_dispatch_runs_valid_calls(void **state)
{
	(void)state;
	assert_int_equal(run("list", CONSOLE_OBSERVER), 0);
	assert_int_equal(runs, 1);
	assert_false(last.json);
	assert_int_equal(run("list --json", CONSOLE_OBSERVER), 0);
	assert_true(last.json);
	assert_int_equal(run("info web --json", CONSOLE_OBSERVER), 0);
	assert_string_equal(last.args[0], "web");
	assert_int_equal(run("stop web", CONSOLE_ADMIN), 0);
	assert_int_equal(runs, 1);
	assert_int_equal(run("", CONSOLE_OBSERVER), 0);
	assert_int_equal(text_len, 0);
}

static void test_dispatch_errors(void **state)
{
	(void)state;
	assert_int_equal(run("lst", CONSOLE_ADMIN), -E_NOENT);
	assert_error("unknown command 'lst'");
	assert_int_equal(run("info", CONSOLE_ADMIN), -E_INVAL);
	assert_error("info: missing argument (usage: info NAME [--json])");
	assert_int_equal(run("list web", CONSOLE_ADMIN), -E_INVAL);
	assert_error("list: unexpected argument web");
	assert_int_equal(run("stop web --json", CONSOLE_ADMIN), -E_INVAL);
	assert_error("stop: does not take --json");
	assert_int_equal(run("list x=1", CONSOLE_ADMIN), -E_INVAL);
	assert_error("list: unknown key x");
	assert_int_equal(run("sched web speed=3", CONSOLE_ADMIN), -E_INVAL);
	assert_error("sched: unknown key speed (usage: sched NAME [weight=W] [cap=C])");
	assert_int_equal(run("sched web weight=1 weight=2", CONSOLE_ADMIN), -E_INVAL);
	assert_error("key given twice: weight");
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(run("stop web", CONSOLE_OBSERVER), -E_BUSY);
	assert_error("stop: needs the admin role");
	/* The role is checked before the arguments: no hint about what would work. */
	assert_int_equal(run("sched", CONSOLE_OBSERVER), -E_BUSY);
	assert_error("needs the admin role");
	assert_int_equal(run("info web", CONSOLE_OBSERVER), 0);
}

static void test_key_values(void **state)
{
	(void)state;
	assert_int_equal(run("sched web weight=512 cap=25", CONSOLE_ADMIN), 0);
	assert_string_equal(text, "weight 512 cap 25\n");
	assert_int_equal(run("sched web cap=0x10", CONSOLE_ADMIN), 0);
	assert_string_equal(text, "weight 0 cap 16\n");
	assert_int_equal(run("sched web weight=0", CONSOLE_ADMIN), -E_INVAL);
	assert_string_equal(text, "error: sched: weight=0 is not a number in 1-65535\n");
	assert_int_equal(run("sched web cap=101", CONSOLE_ADMIN), -E_INVAL);
	assert_string_equal(text, "error: sched: cap=101 is not a number in 0-100\n");
	assert_int_equal(run("sched web cap=ten", CONSOLE_ADMIN), -E_INVAL);
	assert_string_equal(text, "error: sched: cap=ten is not a number in 0-100\n");
	assert_int_equal(run("sched web weight=99999999999999999999", CONSOLE_ADMIN), -E_INVAL);
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(run("help", CONSOLE_OBSERVER), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		assert_non_null(strstr(text, cmds[i].name));
	assert_non_null(strstr(text, "hard stop (admin)"));
	assert_non_null(strstr(text, "need `login`"));
	assert_int_equal(run("help", CONSOLE_ADMIN), 0);
	assert_null(strstr(text, "need `login`"));
	assert_int_equal(run("help sched", CONSOLE_OBSERVER), 0);
	assert_string_equal(text, "usage: sched NAME [weight=W] [cap=C]\n  set the share (admin)\n");
	assert_int_equal(run("help list", CONSOLE_OBSERVER), 0);
	assert_string_equal(text, "usage: list [--json]\n  guests and what they use\n");
	assert_int_equal(run("help nope", CONSOLE_OBSERVER), -E_NOENT);
	assert_error("help: no command 'nope'");
	assert_int_equal(run("help a b", CONSOLE_OBSERVER), -E_INVAL);
	assert_error("usage: help [COMMAND]");
}

static void test_json_strings(void **state)
{
	(void)state;
	text_len = 0;
	cmd_json_str(&out, "a\"b\\c\n\x01\x7f" "d");
	assert_string_equal(text, "\"a\\\"b\\\\c\\u000a\\u0001\\u007fd\"");
	text_len = 0;
	cmd_json_str(&out, "");
	assert_string_equal(text, "\"\"");
}

/*
 * Random lines of command names, arguments, keys, options and bytes: each
 * either runs its command with a call that passed the checks, or answers
 * exactly one "error: " line (never both, never a crash: ASan watches).
 */
static void test_random_lines(void **state)
{
	static const char *const words[] = {
		"list", "info", "stop", "sched", "help", "web", "--json", "--", "-", "=", "weight=",
		"=5", "weight=5", "cap=7", "cap=x", "weight=65536", "a=b=c", "\t", " ", "x",
		"\x01", "\x7f", "\xff", "LIST",
	};
	char line[CMD_LINE_MAX], copy[CMD_LINE_MAX];

	(void)state;
	rng_seed(0x636d64ULL);
	for (int i = 0; i < 20000; i++) {
		size_t n = 0, count = (size_t)rng_below(12);
		for (size_t w = 0; w < count; w++) {
			const char *word = words[rng_below(sizeof(words) / sizeof(words[0]))];
			size_t len = strlen(word);
			if (n + len + 2 >= sizeof(line))
				break;
			memcpy(line + n, word, len);
			n += len;
			if (rng_below(4))
				line[n++] = ' ';
		}
		line[n] = '\0';
		memcpy(copy, line, n + 1);
		int err = run(copy, rng_below(2) ? CONSOLE_ADMIN : CONSOLE_OBSERVER);
		bool one_error = strncmp(text, "error: ", 7) == 0 &&
				 strchr(text, '\n') == text + text_len - 1;
		if (runs) {
			assert_int_equal(runs, 1);
			assert_int_equal(err, 0);
			assert_int_equal(text_len, 0);
		} else if (err) {
			if (!one_error)
				fail_msg("\"%s\": %d but \"%s\"", line, err, text);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_dispatch_runs_valid_calls),
		cmocka_unit_test(test_dispatch_errors),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_key_values),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_random_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
