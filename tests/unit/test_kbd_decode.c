/*
 * Scancode set 1 to bytes (drivers/kbd_decode.c): every key of the US
 * layout plain and shifted, Caps Lock, Ctrl combinations (left and right),
 * E0 and E1 sequences, releases, and codes that type nothing.
 */
#include "host_shim.h"

#include <string.h>

#include <plinth/kbd_decode.h>

static struct kbd_decoder kbd;
static char typed[256];
static size_t typed_len;

static int setup(void **state)
{
	(void)state;
	kbd_decoder_init(&kbd);
	typed_len = 0;
	memset(typed, 0, sizeof(typed));
	return 0;
}

/* Feed scancodes; collect what they type. */
static void feed(const uint8_t *codes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int b = kbd_decode(&kbd, codes[i]);

		if (b == KBD_NO_BYTE)
			continue;
		assert_true(b >= 0 && b < 0x80);
		assert_true(typed_len + 1 < sizeof(typed));
		typed[typed_len++] = (char)b;
	}
}

#define FEED(...) do { \
		const uint8_t codes_[] = { __VA_ARGS__ }; \
		feed(codes_, sizeof(codes_)); \
	} while (0)

/* Press and release one key. */
static void tap(uint8_t key)
{
	FEED(key, (uint8_t)(key | 0x80));
}

/* Tap every key from `first` to `last`, skipping the modifiers. */
static void tap_range(uint8_t first, uint8_t last)
{
	for (unsigned k = first; k <= last; k++)
		if (k != 0x1D && k != 0x2A && k != 0x36)
			tap((uint8_t)k);
}

#define ALL_PLAIN "\x1b" "1234567890-=\b\tqwertyuiop[]\rasdfghjkl;'`\\zxcvbnm,./"
#define ALL_SHIFTED "\x1b" "!@#$%^&*()_+\b\tQWERTYUIOP{}\rASDFGHJKL:\"~|ZXCVBNM<>?"

static void test_every_key_plain(void **state)
{
	(void)state;
	tap_range(0x01, 0x35);
	tap(0x39);
	assert_int_equal(typed_len, strlen(ALL_PLAIN " "));
	assert_memory_equal(typed, ALL_PLAIN " ", typed_len);
}

static void test_every_key_with_either_shift(void **state)
{
	(void)state;
	FEED(0x2A); /* left shift down */
	tap_range(0x01, 0x35);
	FEED(0xAA, 0x36); /* left up, right down */
	tap(0x39);
	tap(0x1E);
	FEED(0xB6); /* right up */
	tap(0x1E);
	assert_string_equal(typed, ALL_SHIFTED " Aa");
}

static void test_caps_lock_turns_letters_only(void **state)
{
	(void)state;
	tap(0x3A);
	tap(0x1E);             /* A */
	tap(0x02);             /* 1, not ! */
	tap(0x1A);             /* [, not { */
	FEED(0x2A);
	tap(0x1E);             /* shift under caps: a */
	tap(0x02);             /* shift still shifts digits: ! */
	FEED(0xAA);
	tap(0x3A);             /* off again */
	tap(0x1E);
	assert_string_equal(typed, "A1[a!a");
}

static void test_held_caps_lock_toggles_once(void **state)
{
	(void)state;
	FEED(0x3A, 0x3A, 0x3A, 0xBA); /* typematic repeat while held */
	tap(0x1F);
	FEED(0x3A, 0x3A, 0xBA);
	tap(0x1F);
	assert_string_equal(typed, "Ss");
}

static void test_ctrl_combinations(void **state)
{
	(void)state;
	FEED(0x1D);            /* left ctrl down */
	tap(0x2E);             /* C: 0x03 */
	tap(0x16);             /* U: 0x15 */
	tap(0x1B);             /* ]: 0x1d, the console's escape key */
	tap(0x1A);             /* [: 0x1b */
	tap(0x2B);             /* \: 0x1c */
	tap(0x1E);             /* A: 0x01 */
	tap(0x2C);             /* Z: 0x1a */
	tap(0x02);             /* 1: nothing */
	tap(0x33);             /* ,: nothing */
	FEED(0x2A);
	tap(0x2E);             /* ctrl-shift-C: still 0x03 */
	FEED(0xAA, 0x9D);      /* all up */
	tap(0x2E);
	assert_int_equal(typed_len, 9);
	assert_memory_equal(typed, "\x03\x15\x1d\x1b\x1c\x01\x1a\x03" "c", 9);
}

static void test_right_ctrl_via_e0(void **state)
{
	(void)state;
	FEED(0xE0, 0x1D);      /* right ctrl down */
	tap(0x1B);             /* Ctrl-] */
	tap(0x2E);             /* Ctrl-C */
	FEED(0xE0, 0x9D);      /* right ctrl up */
	tap(0x2E);
	assert_int_equal(typed_len, 3);
	assert_memory_equal(typed, "\x1d\x03" "c", 3);
}

static void test_one_ctrl_released_the_other_still_held(void **state)
{
	(void)state;
	FEED(0x1D, 0xE0, 0x1D, 0x9D); /* both down, left up */
	tap(0x2E);
	FEED(0xE0, 0x9D);
	tap(0x2E);
	assert_int_equal(typed_len, 2);
	assert_memory_equal(typed, "\x03" "c", 2);
}

static void test_e0_keys_are_ignored_but_keypad_enter(void **state)
{
	(void)state;
	FEED(0xE0, 0x48, 0xE0, 0xC8);       /* up arrow */
	FEED(0xE0, 0x4B, 0xE0, 0xCB);       /* left arrow */
	FEED(0xE0, 0x35, 0xE0, 0xB5);       /* keypad /: same key number as / */
	FEED(0xE0, 0x38, 0xE0, 0xB8);       /* right alt */
	FEED(0xE0, 0x2A, 0xE0, 0x37);       /* Print Screen's fake shift, then its key */
	FEED(0xE0, 0xB7, 0xE0, 0xAA);
	FEED(0xE0, 0x36);                   /* a fake right shift press... */
	tap(0x1E);                          /* ...does not shift */
	FEED(0xE0, 0x1C, 0xE0, 0x9C);       /* keypad Enter */
	assert_string_equal(typed, "a\r");
}

static void test_pause_sequence_types_nothing_and_sticks_nothing(void **state)
{
	(void)state;
	FEED(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
	tap(0x2E);                          /* no ctrl left held: a plain c */
	assert_string_equal(typed, "c");
}

static void test_releases_type_nothing(void **state)
{
	(void)state;
	for (unsigned code = 0x81; code <= 0xD8; code++) {
		if (code == 0xE0 || code == 0xE1)
			continue;
		FEED((uint8_t)code);
	}
	assert_int_equal(typed_len, 0);
	tap(0x30);
	assert_string_equal(typed, "b"); /* and left no modifier set */
}

static void test_unknown_codes_and_controller_replies(void **state)
{
	(void)state;
	/* error, F1..F10, the keypad's keys, F11, F12, undefined, ack, echo, resend, errors */
	FEED(0x00, 0x3B, 0x44, 0x45, 0x46, 0x47, 0x4A, 0x4E, 0x53, 0x57, 0x58, 0x5A, 0x7F);
	FEED(0xFA, 0xEE, 0xFE, 0xFC, 0xFD, 0xFF, 0xAA);
	FEED(0x37, 0x38);  /* keypad *, left alt (held) */
	assert_int_equal(typed_len, 0);
	tap(0x2D);
	assert_string_equal(typed, "x"); /* alt is not a modifier here */
}

static void test_a_word_typed_with_releases_interleaved(void **state)
{
	(void)state;
	/* "Hi!" + Enter as a fast typist sends it: the next key down before the last is up */
	FEED(0x2A, 0x23, 0xAA, 0x17, 0xA3, 0x2A, 0x02, 0x97, 0x82, 0xAA, 0x1C, 0x9C);
	assert_string_equal(typed, "Hi!\r");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_key_plain, setup),
		cmocka_unit_test_setup(test_every_key_with_either_shift, setup),
		cmocka_unit_test_setup(test_caps_lock_turns_letters_only, setup),
		cmocka_unit_test_setup(test_held_caps_lock_toggles_once, setup),
		cmocka_unit_test_setup(test_ctrl_combinations, setup),
		cmocka_unit_test_setup(test_right_ctrl_via_e0, setup),
		cmocka_unit_test_setup(test_one_ctrl_released_the_other_still_held, setup),
		cmocka_unit_test_setup(test_e0_keys_are_ignored_but_keypad_enter, setup),
		cmocka_unit_test_setup(test_pause_sequence_types_nothing_and_sticks_nothing, setup),
		cmocka_unit_test_setup(test_releases_type_nothing, setup),
		cmocka_unit_test_setup(test_unknown_codes_and_controller_replies, setup),
		cmocka_unit_test_setup(test_a_word_typed_with_releases_interleaved, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
