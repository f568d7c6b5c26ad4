/*
 * The overwrite-oldest byte ring (core/byte_ring.c): fixed cases for the
 * wrap-around, overwrite and dropped counts, then random writes and reads
 * of random sizes against a model that keeps every byte ever written.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/byte_ring.h>

static char storage[16];
static struct byte_ring ring;

static int setup(void **state)
{
	(void)state;
	memset(storage, 0, sizeof(storage));
	byte_ring_init(&ring, storage, 8);
	return 0;
}

static void read_all(char *out, size_t want_len)
{
	memset(out, 0, 32);
	assert_int_equal(byte_ring_read(&ring, out, 32), want_len);
}

static void test_fill_and_read(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(byte_ring_used(&ring), 0);
	assert_int_equal(byte_ring_read(&ring, out, 32), 0);
	byte_ring_write(&ring, "abc", 3);
	assert_int_equal(byte_ring_used(&ring), 3);
	read_all(out, 3);
	assert_string_equal(out, "abc");
	byte_ring_write(&ring, "12345678", 8); /* exactly full, across the end */
	assert_int_equal(byte_ring_take_dropped(&ring), 0);
	read_all(out, 8);
	assert_string_equal(out, "12345678");
	assert_int_equal(storage[8], 0); /* nothing written past size */
}

static void test_overwrite_oldest(void **state)
{
	char out[32];

	(void)state;
	byte_ring_write(&ring, "abcdef", 6);
	byte_ring_write(&ring, "ghij", 4); /* 10 bytes into 8: a, b lost */
	assert_int_equal(byte_ring_used(&ring), 8);
	assert_int_equal(byte_ring_take_dropped(&ring), 2);
	assert_int_equal(byte_ring_take_dropped(&ring), 0);
	read_all(out, 8);
	assert_string_equal(out, "cdefghij");
}

static void test_write_longer_than_ring(void **state)
{
	char out[32];

	(void)state;
	byte_ring_write(&ring, "xy", 2);
	byte_ring_write(&ring, "0123456789abc", 13); /* only the last 8 stay */
	assert_int_equal(byte_ring_take_dropped(&ring), 7);
	read_all(out, 8);
	assert_string_equal(out, "56789abc");
}

static void test_partial_reads_wrap(void **state)
{
	char out[32];

	(void)state;
	byte_ring_write(&ring, "abcdef", 6);
	memset(out, 0, sizeof(out));
	assert_int_equal(byte_ring_peek(&ring, out, 3), 3); /* peeking takes nothing */
	assert_string_equal(out, "abc");
	assert_int_equal(byte_ring_used(&ring), 6);
	assert_int_equal(byte_ring_read(&ring, out, 4), 4);
	assert_string_equal(out, "abcd");
	byte_ring_write(&ring, "ghijkl", 6); /* wraps; 8 kept, nothing lost */
	assert_int_equal(byte_ring_take_dropped(&ring), 0);
	read_all(out, 8);
	assert_string_equal(out, "efghijkl");
}

static void test_clear_and_empty_ring(void **state)
{
	struct byte_ring none;
	char out[4];

	(void)state;
	byte_ring_write(&ring, "abcdef", 6);
	byte_ring_drop_oldest(&ring, 2);
	assert_int_equal(byte_ring_take_dropped(&ring), 2);
	memset(out, 0, sizeof(out));
	assert_int_equal(byte_ring_read(&ring, out, 3), 3);
	assert_memory_equal(out, "cde", 3);
	byte_ring_drop_oldest(&ring, 10); /* more than kept: all of it */
	assert_int_equal(byte_ring_used(&ring), 0);
	assert_int_equal(byte_ring_take_dropped(&ring), 1);
	byte_ring_write(&ring, "abc", 3);
	byte_ring_clear(&ring);
	assert_int_equal(byte_ring_used(&ring), 0);
	assert_int_equal(byte_ring_take_dropped(&ring), 0);
	byte_ring_init(&none, NULL, 0);
	byte_ring_write(&none, "abc", 3);
	assert_int_equal(byte_ring_used(&none), 0);
	assert_int_equal(byte_ring_read(&none, out, 4), 0);
	assert_int_equal(byte_ring_take_dropped(&none), 3);
}

/* Random traffic against a model: everything written, and where reading stands. */
static void test_random_against_model(void **state)
{
	enum { TOTAL = 200000 };
	static char all[TOTAL + 64];
	char buf[64], out[64];
	size_t written = 0, read_pos = 0;
	uint64_t dropped = 0;
	char store[13]; /* a size that is not a power of two */
	struct byte_ring r;

	(void)state;
	rng_seed(0x72696e67ULL);
	byte_ring_init(&r, store, sizeof(store));
	while (written < TOTAL) {
		if (rng_below(2)) {
			size_t n = (size_t)rng_below(30);
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)rng_next();
			byte_ring_write(&r, buf, n);
			memcpy(all + written, buf, n);
			written += n;
			if (written - read_pos > sizeof(store)) {
				dropped += written - sizeof(store) - read_pos;
				read_pos = written - sizeof(store);
			}
		} else {
			size_t n = (size_t)rng_below(20);
			size_t want = MIN(n, written - read_pos);
			assert_int_equal(byte_ring_peek(&r, out, n), want);
			assert_memory_equal(out, all + read_pos, want);
			assert_int_equal(byte_ring_read(&r, out, n), want);
			assert_memory_equal(out, all + read_pos, want);
			read_pos += want;
		}
		assert_int_equal(byte_ring_used(&r), written - read_pos);
		if (rng_below(50) == 0) {
			assert_int_equal(byte_ring_take_dropped(&r), dropped);
			dropped = 0;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fill_and_read, setup),
		cmocka_unit_test_setup(test_overwrite_oldest, setup),
		cmocka_unit_test_setup(test_write_longer_than_ring, setup),
		cmocka_unit_test_setup(test_partial_reads_wrap, setup),
		cmocka_unit_test_setup(test_clear_and_empty_ring, setup),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
