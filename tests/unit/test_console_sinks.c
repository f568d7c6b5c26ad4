/*
 * The console's fan-out (core/console.c): every sink gets log lines, raw
 * output skips a log-only screen (one without a keyboard) and reaches one
 * with a keyboard, and a log line written while the management console
 * shows a prompt erases that line, then draws the prompt and what was typed
 * again below itself (so a half-typed command is never split by a log line
 * from another CPU).
 */
#include "host_shim.h"

#include <stdbool.h>
#include <string.h>

#include <plinth/console.h>

struct recording_sink {
	struct console_sink sink;
	char text[512];
	size_t len;
};

static void record(struct console_sink *sink, const char *s, size_t n)
{
	struct recording_sink *r = (struct recording_sink *)sink;

	assert_true(r->len + n < sizeof(r->text));
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

static struct recording_sink serial = { .sink = { .name = "serial", .write = record } };
static struct recording_sink screen = { .sink = { .name = "screen", .write = record,
						  .log_only = true } };

static int setup(void **state)
{
	(void)state;
	serial.len = screen.len = 0;
	serial.text[0] = screen.text[0] = '\0';
	console_register(&serial.sink);
	console_register(&screen.sink);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	console_write_prompt("", 0, "", 0); /* no prompt shown */
	console_unregister(&serial.sink);
	console_unregister(&screen.sink);
	return 0;
}

static void test_log_and_raw_reach_their_sinks(void **state)
{
	(void)state;
	console_write_log(3, "[core] up\n", 10);
	console_write_raw("guest bytes", 11);
	assert_string_equal(serial.text, "[core] up\nguest bytes");
	assert_string_equal(screen.text, "[core] up\n");
}

static void test_log_line_over_a_prompt_redraws_it(void **state)
{
	(void)state;
	console_write_prompt("plinth# lis", 11, "plinth# lis", 11);
	console_write_log(3, "[guest a] hello\n", 16);
	console_write_prompt("t", 1, "plinth# list", 12);
	assert_string_equal(serial.text, "plinth# lis\r\x1b[K[guest a] hello\nplinth# list");
	assert_string_equal(screen.text, "[guest a] hello\n"); /* the screen shows no prompt */
}

static void test_no_redraw_once_the_prompt_is_gone(void **state)
{
	(void)state;
	console_write_prompt("plinth# x", 9, "plinth# x", 9);
	console_write_prompt("\n", 1, "", 0); /* Enter: the command runs */
	console_write_log(3, "[console] ran\n", 14);
	assert_string_equal(serial.text, "plinth# x\n[console] ran\n");
}

static void test_plain_writes_never_redraw(void **state)
{
	(void)state;
	/* console_write may be half a line (a panic's dump): only log lines redraw. */
	console_write_prompt("password: ", 10, "password: ", 10);
	console_write("half ", 5);
	console_write_raw("raw", 3);
	assert_string_equal(serial.text, "password: half raw");
}

/* A screen with a keyboard is not log-only: it is a terminal like the serial line. */
static void test_screen_with_a_keyboard_gets_everything(void **state)
{
	(void)state;
	screen.sink.log_only = false;
	console_write_prompt("plinth> li", 10, "plinth> li", 10);
	console_write_log(3, "[guest a] hello\n", 16);
	console_write_raw("guest bytes", 11);
	screen.sink.log_only = true;
	assert_string_equal(screen.text, "plinth> li\r\x1b[K[guest a] hello\nplinth> liguest bytes");
	assert_string_equal(serial.text, screen.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_log_and_raw_reach_their_sinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_line_over_a_prompt_redraws_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_redraw_once_the_prompt_is_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_plain_writes_never_redraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_screen_with_a_keyboard_gets_everything, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
