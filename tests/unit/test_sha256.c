/*
 * SHA-256 (core/sha256.c) against the FIPS 180-4 / NIST example vectors and
 * lengths around the padding boundaries (55/56/63/64/119/120 bytes, values
 * from Python's hashlib), incremental updates split at every point, and the
 * console's salted password format (core/password.c, docs/console.md).
 */
#include "host_shim.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/password.h>
#include <plinth/sha256.h>

static void hex(const uint8_t *d, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char got[65];

	sha256(data, len, d);
	hex(d, got);
	assert_string_equal(got, want);
}

static void test_fips_vectors(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(m448, strlen(m448),
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check(m896, strlen(m896),
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	char chunk[1000], got[65];

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		sha256_update(&ctx, chunk, sizeof(chunk));
	sha256_final(&ctx, d);
	hex(d, got);
	assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_padding_boundaries(void **state)
{
	static const struct { size_t n; const char *want; } v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
	};
	char a[128];

	(void)state;
	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check(a, v[i].n, v[i].want);
}

/* Feeding a message in two parts, split anywhere, gives the one-call digest. */
static void test_split_updates(void **state)
{
	uint8_t msg[200], whole[32], parts[32];
	struct sha256_ctx ctx;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(msg); len += 13) {
		sha256(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut++) {
			sha256_init(&ctx);
			sha256_update(&ctx, msg, cut);
			sha256_update(&ctx, msg + cut, 0);
			sha256_update(&ctx, msg + cut, len - cut);
			sha256_final(&ctx, parts);
			assert_memory_equal(whole, parts, 32);
		}
	}
}

static const uint8_t salt[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
/* SHA-256(salt || "hunter2"), from Python's hashlib. */
static const char hunter2[] = "sha256$00112233445566778899aabbccddeeff$"
			      "ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a";

static void test_password_make(void **state)
{
	char out[PASSWORD_HASH_STR_MAX];

	(void)state;
	assert_int_equal(password_hash_make(salt, sizeof(salt), "hunter2", 7, out, sizeof(out)), 0);
	assert_string_equal(out, hunter2);
	/* Too small an output, no salt, too much salt: refused. */
	assert_int_not_equal(password_hash_make(salt, sizeof(salt), "x", 1, out, strlen(hunter2)), 0);
	assert_int_not_equal(password_hash_make(salt, 0, "x", 1, out, sizeof(out)), 0);
	uint8_t big[PASSWORD_SALT_MAX + 1] = { 0 };
	assert_int_not_equal(password_hash_make(big, sizeof(big), "x", 1, out, sizeof(out)), 0);
	assert_int_equal(password_hash_make(big, PASSWORD_SALT_MAX, "x", 1, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), PASSWORD_HASH_STR_MAX - 1);
	assert_true(password_verify(out, "x", 1));
}

static void test_password_verify(void **state)
{
	(void)state;
	assert_true(password_verify(hunter2, "hunter2", 7));
	assert_false(password_verify(hunter2, "hunter3", 7));
	assert_false(password_verify(hunter2, "hunter", 6));
	assert_false(password_verify(hunter2, "hunter22", 8));
	assert_false(password_verify(hunter2, "", 0));
	/* The salt matters: the same digest under another salt does not match. */
	char other[sizeof(hunter2)];
	memcpy(other, hunter2, sizeof(hunter2));
	other[7] = '1';
	assert_false(password_verify(other, "hunter2", 7));
	/* An empty password is a password like any other. */
	char empty[PASSWORD_HASH_STR_MAX];
	assert_int_equal(password_hash_make(salt, 4, "", 0, empty, sizeof(empty)), 0);
	assert_true(password_verify(empty, "", 0));
	assert_false(password_verify(empty, " ", 1));
}

static void test_password_malformed(void **state)
{
	static const struct { const char *s; const char *why; } bad[] = {
		{ "", "sha256$" },
		{ "md5$00$" "ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "sha256$" },
		{ "sha256$0011", "'$'" },
		{ "sha256$$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "salt" },
		{ "sha256$001$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "salt" },
		{ "sha256$00G1$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "hex" },
		{ "sha256$00AA$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "hex" },
		{ "sha256$0011$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172", "64" },
		{ "sha256$0011$ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172aa", "64" },
		{ "sha256$0011$Ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a", "64" },
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_not_equal(password_hash_check(bad[i].s, &why), 0);
		assert_non_null(why);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].s, why, bad[i].why);
		assert_false(password_verify(bad[i].s, "hunter2", 7));
	}
	assert_int_equal(password_hash_check(hunter2, &why), 0);
	assert_int_equal(password_hash_check(hunter2, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_split_updates),
		cmocka_unit_test(test_password_make),
		cmocka_unit_test(test_password_verify),
		cmocka_unit_test(test_password_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
