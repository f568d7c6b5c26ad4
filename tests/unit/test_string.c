/*
 * The kernel's string functions (core/string.c) against the C library's,
 * on random inputs, plus str_copy's edge cases and err_name (core/errno.c).
 *
 * core/string.c is compiled into this file with its functions renamed
 * k_memset, k_memcpy, ... (PLINTH_STRING_TEST_PREFIX, explained there), so
 * the kernel's and the C library's versions sit side by side.
 */
#define PLINTH_STRING_TEST_PREFIX
#include "../../core/string.c"

#include "host_shim.h"
#include "test_rng.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>

#define MAX_LEN 300   /* lengths 0 .. MAX_LEN */
#define MAX_OFFSET 16 /* start offsets 0 .. MAX_OFFSET - 1 */
#define AREA (MAX_OFFSET + MAX_LEN + MAX_OFFSET)
#define STRING_RUNS 20000

static int setup(void **state)
{
	(void)state;
	rng_seed(0x737472696e67ULL);
	return 0;
}

static void fill_random(void *p, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)rng_next();
}

/* Random bytes from a small alphabet, so strings share prefixes often. */
static void fill_random_text(char *s, size_t len)
{
	static const char alphabet[] = "aab\x7f\x80\xff";

	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[rng_below(sizeof(alphabet) - 1)];
	s[len] = '\0';
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* ---- Memory functions ---------------------------------------------------- */

/* Every length and offset: the whole area must match libc's afterwards. */
static void test_memset(void **state)
{
	static unsigned char want[AREA], got[AREA];
	(void)state;

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t off = 0; off < MAX_OFFSET; off++) {
			/* Only the low byte counts: 0x1ab stores 0xab. */
			int c = (int)rng_below(0x400) - 0x200;
			unsigned char *dst = got + off;

			fill_random(want, AREA);
			memcpy(got, want, AREA);
			assert_ptr_equal(k_memset(dst, c, len), dst);
			memset(want + off, c, len);
			assert_memory_equal(got, want, AREA);
		}
	}
}

static void test_memcpy(void **state)
{
	static unsigned char src[AREA], want[AREA], got[AREA];
	(void)state;

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (size_t i = 0; i < MAX_OFFSET; i++) {
			size_t src_off = rng_below(MAX_OFFSET);
			size_t dst_off = rng_below(MAX_OFFSET);
			unsigned char *dst = got + dst_off;

			fill_random(src, AREA);
			fill_random(want, AREA);
			memcpy(got, want, AREA);
			assert_ptr_equal(k_memcpy(dst, src + src_off, len),
					 dst);
			memcpy(want + dst_off, src + src_off, len);
			assert_memory_equal(got, want, AREA);
		}
	}
}

/* Overlap in both directions, at every distance up to the length. */
static void test_memmove(void **state)
{
	/* Room for dst up to MAX_LEN + 2 either side of src, plus a length. */
	static unsigned char want[3 * AREA], got[3 * AREA];
	(void)state;

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (int i = 0; i < 24; i++) {
			size_t src_off = MAX_LEN + 2 + rng_below(MAX_OFFSET);
			/* dst within len + 2 of src, either side, or equal. */
			size_t distance = rng_below(len + 3);
			size_t dst_off = rng_next() & 1 ? src_off + distance :
						     src_off - distance;
			unsigned char *dst = got + dst_off;

			fill_random(want, sizeof(want));
			memcpy(got, want, sizeof(got));
			assert_ptr_equal(k_memmove(dst, got + src_off, len),
					 dst);
			memmove(want + dst_off, want + src_off, len);
			assert_memory_equal(got, want, sizeof(got));
		}
	}
}

static void test_memmove_same_and_adjacent(void **state)
{
	char buf[] = "0123456789";
	(void)state;

	k_memmove(buf, buf, 10);
	assert_string_equal(buf, "0123456789");
	k_memmove(buf + 1, buf, 9); /* up by one: must copy backwards */
	assert_string_equal(buf, "0012345678");
	k_memmove(buf, buf + 1, 9); /* back by one */
	assert_string_equal(buf, "0123456788");
	k_memmove(buf + 5, buf, 5); /* touching, not overlapping */
	assert_string_equal(buf, "0123401234");
}

static void test_memcmp(void **state)
{
	static unsigned char a[AREA], b[AREA];
	(void)state;

	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (int i = 0; i < 16; i++) {
			unsigned char *x = a + rng_below(MAX_OFFSET);
			unsigned char *y = b + rng_below(MAX_OFFSET);

			fill_random(a, AREA);
			memcpy(y, x, len);
			/* Mostly one byte differs, often with the top bit. */
			if (len > 0 && rng_below(4) != 0)
				y[rng_below(len)] = (unsigned char)rng_next();
			assert_int_equal(sign(k_memcmp(x, y, len)),
					 sign(memcmp(x, y, len)));
		}
	}
	/* Bytes compare as unsigned char: 0x80 is above 0x7f. */
	assert_true(k_memcmp("\x80", "\x7f", 1) > 0);
	assert_int_equal(k_memcmp("abc", "abd", 2), 0);
}

/* ---- String functions ---------------------------------------------------- */

/* Strings in exactly sized heap blocks, so ASan sees any read past them. */
static char *random_string(size_t max_len)
{
	size_t len = rng_below(max_len + 1);
	char *s = malloc(len + 1);

	assert_non_null(s);
	fill_random_text(s, len);
	return s;
}

static void test_strlen_strnlen(void **state)
{
	(void)state;
	for (int i = 0; i < STRING_RUNS; i++) {
		char *s = random_string(MAX_LEN);
		size_t len = strlen(s);
		size_t max = rng_below(len + 4);

		assert_int_equal(k_strlen(s), len);
		assert_int_equal(k_strnlen(s, max), strnlen(s, max));
		assert_int_equal(k_strnlen(s, SIZE_MAX), len);
		free(s);
	}
}

/* strnlen stops at max even without a NUL within reach. */
static void test_strnlen_unterminated(void **state)
{
	char *block = malloc(8);
	(void)state;

	assert_non_null(block);
	memset(block, 'x', 8);
	assert_int_equal(k_strnlen(block, 8), 8);
	assert_int_equal(k_strnlen(block, 3), 3);
	assert_int_equal(k_strnlen(block, 0), 0);
	free(block);
}

static void test_strcmp_strncmp(void **state)
{
	(void)state;
	for (int i = 0; i < STRING_RUNS; i++) {
		char *a = random_string(12);
		char *b = rng_below(4) == 0 ? strdup(a) : random_string(12);
		size_t n = rng_below(16);

		assert_non_null(b);
		assert_int_equal(sign(k_strcmp(a, b)), sign(strcmp(a, b)));
		assert_int_equal(sign(k_strncmp(a, b, n)),
				 sign(strncmp(a, b, n)));
		/* A bound past both strings acts like strcmp. */
		assert_int_equal(sign(k_strncmp(a, b, SIZE_MAX)),
				 sign(strcmp(a, b)));
		free(a);
		free(b);
	}
	assert_true(k_strcmp("\x80", "\x7f") > 0);
	assert_true(k_strcmp("ab", "abc") < 0);
	assert_true(k_strcmp("abc", "ab") > 0);
	assert_int_equal(k_strcmp("", ""), 0);
	assert_int_equal(k_strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(k_strncmp("a", "b", 0), 0);
	assert_true(k_strncmp("ab", "abc", 3) < 0);
}

static void test_strchr(void **state)
{
	static const int wanted[] = { 'a', 'b', '\0', 0x7f, 0x80, 0xff, -1, 'z',
				      0x100 + 'a' };
	(void)state;

	for (int i = 0; i < STRING_RUNS; i++) {
		char *s = random_string(40);
		int c = wanted[rng_below(ARRAY_SIZE(wanted))];

		/* c converts to char: 0x100 + 'a' finds 'a', -1 finds 0xff. */
		assert_ptr_equal(k_strchr(s, c), strchr(s, c));
		free(s);
	}
	/* The terminating NUL is part of the string. */
	const char *abc = "abc";
	assert_ptr_equal(k_strchr(abc, '\0'), abc + 3);
	assert_ptr_equal(k_strchr(abc, 'c'), abc + 2);
	assert_null(k_strchr(abc, 'd'));
}

/* ---- str_copy ------------------------------------------------------------ */

static void test_str_copy_edges(void **state)
{
	char buf[8];
	(void)state;

	/* Size 0: nothing written, not even the NUL; returns strlen(src). */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "hello", 0), 5);
	assert_memory_equal(buf, "########", 8);
	assert_int_equal(k_str_copy(NULL, "hello", 0), 5);

	/* Size 1: just the NUL. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "hello", 1), 5);
	assert_memory_equal(buf, "\0#######", 8);

	/* Size == strlen: one character short. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "hello", 5), 5);
	assert_memory_equal(buf, "hell\0###", 8);

	/* Size == strlen + 1: fits exactly. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "hello", 6), 5);
	assert_memory_equal(buf, "hello\0##", 8);

	/* Larger: bytes after the NUL are left alone. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "hi", 8), 2);
	assert_memory_equal(buf, "hi\0#####", 8);

	/* Empty source. */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(k_str_copy(buf, "", 8), 0);
	assert_memory_equal(buf, "\0#######", 8);
}

/* Against snprintf(dst, size, "%s", src), which has the same contract. */
static void test_str_copy_random(void **state)
{
	(void)state;
	for (int i = 0; i < STRING_RUNS; i++) {
		char *src = random_string(40);
		size_t size = rng_below(48);
		/* Exact sizes, + 1 to keep clear of malloc(0). */
		char *got = malloc(size + 1);
		char *want = malloc(size + 1);

		assert_non_null(got);
		assert_non_null(want);
		memset(got, '#', size + 1);
		memset(want, '#', size + 1);
		assert_int_equal(k_str_copy(got, src, size),
				 (size_t)snprintf(want, size, "%s", src));
		assert_memory_equal(got, want, size + 1);
		free(src);
		free(got);
		free(want);
	}
}

/* ---- err_name ------------------------------------------------------------ */

static void test_err_name(void **state)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ E_NOMEM, "ENOMEM" }, { E_INVAL, "EINVAL" },
		{ E_RANGE, "ERANGE" }, { E_EXIST, "EEXIST" },
		{ E_NOENT, "ENOENT" }, { E_NOSPC, "ENOSPC" },
		{ E_NOTSUP, "ENOTSUP" }, { E_FAULT, "EFAULT" },
		{ E_BUSY, "EBUSY" },
		{ E_DISABLED, "EDISABLED" },
		{ E_NOSYS, "ENOSYS" },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_string_equal(err_name(names[i].code), names[i].name);
		assert_string_equal(err_name(-names[i].code), names[i].name);
	}
	assert_string_equal(err_name(0), "E?");
	assert_string_equal(err_name(1000), "E?");
	assert_string_equal(err_name(-1000), "E?");
	assert_string_equal(err_name(INT_MAX), "E?");
	assert_string_equal(err_name(INT_MIN), "E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_memset, setup),
		cmocka_unit_test_setup(test_memcpy, setup),
		cmocka_unit_test_setup(test_memmove, setup),
		cmocka_unit_test_setup(test_memmove_same_and_adjacent, setup),
		cmocka_unit_test_setup(test_memcmp, setup),
		cmocka_unit_test_setup(test_strlen_strnlen, setup),
		cmocka_unit_test_setup(test_strnlen_unterminated, setup),
		cmocka_unit_test_setup(test_strcmp_strncmp, setup),
		cmocka_unit_test_setup(test_strchr, setup),
		cmocka_unit_test_setup(test_str_copy_edges, setup),
		cmocka_unit_test_setup(test_str_copy_random, setup),
		cmocka_unit_test_setup(test_err_name, setup),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
