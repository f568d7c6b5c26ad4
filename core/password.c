/* Salted SHA-256 password hashes for the console (include/plinth/password.h). */
#include <plinth/errno.h>
#include <plinth/password.h>
#include <plinth/sha256.h>
#include <plinth/string.h>

#define PREFIX "sha256$"
#define PREFIX_LEN 7

static const char hex_digits[] = "0123456789abcdef";

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case is refused: one spelling per hash */
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[b[i] >> 4];
		out[2 * i + 1] = hex_digits[b[i] & 15];
	}
}

/* Decode exactly 2*n hex digits: 0 or -E_INVAL. */
static int from_hex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -E_INVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void digest(const uint8_t *salt, size_t salt_len, const char *pw, size_t pw_len,
		   uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, salt, salt_len);
	sha256_update(&ctx, pw, pw_len);
	sha256_final(&ctx, out);
}

int password_hash_make(const uint8_t *salt, size_t salt_len, const char *pw, size_t pw_len,
		       char *out, size_t out_size)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t need = PREFIX_LEN + 2 * salt_len + 1 + 2 * SHA256_DIGEST_SIZE + 1;

	if (salt_len == 0 || salt_len > PASSWORD_SALT_MAX || out_size < need)
		return -E_INVAL;
	digest(salt, salt_len, pw, pw_len, d);
	memcpy(out, PREFIX, PREFIX_LEN);
	to_hex(salt, salt_len, out + PREFIX_LEN);
	out[PREFIX_LEN + 2 * salt_len] = '$';
	to_hex(d, sizeof(d), out + PREFIX_LEN + 2 * salt_len + 1);
	out[need - 1] = '\0';
	return 0;
}

/* Split a stored hash into salt and digest bytes: 0 or -E_INVAL with why. */
static int parse(const char *s, uint8_t *salt, size_t *salt_len, uint8_t d[SHA256_DIGEST_SIZE],
		 const char **why)
{
	const char *dollar;
	size_t hex_len;

	if (strncmp(s, PREFIX, PREFIX_LEN) != 0) {
		*why = "it does not start with sha256$";
		return -E_INVAL;
	}
	s += PREFIX_LEN;
	dollar = strchr(s, '$');
	if (!dollar) {
		*why = "no '$' between the salt and the hash";
		return -E_INVAL;
	}
	hex_len = (size_t)(dollar - s);
	if (hex_len == 0 || hex_len % 2 || hex_len > 2 * PASSWORD_SALT_MAX) {
		*why = "the salt must be 2-64 hex digits, an even number";
		return -E_INVAL;
	}
	if (from_hex(s, hex_len / 2, salt)) {
		*why = "the salt is not lower-case hex";
		return -E_INVAL;
	}
	*salt_len = hex_len / 2;
	if (strlen(dollar + 1) != 2 * SHA256_DIGEST_SIZE || from_hex(dollar + 1, SHA256_DIGEST_SIZE, d)) {
		*why = "the hash must be 64 lower-case hex digits";
		return -E_INVAL;
	}
	return 0;
}

int password_hash_check(const char *stored, const char **why)
{
	uint8_t salt[PASSWORD_SALT_MAX], d[SHA256_DIGEST_SIZE];
	size_t salt_len;
	const char *unused;

	return parse(stored, salt, &salt_len, d, why ? why : &unused);
}

bool password_verify(const char *stored, const char *pw, size_t pw_len)
{
	uint8_t salt[PASSWORD_SALT_MAX], want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	size_t salt_len;
	const char *why;
	uint8_t diff = 0;

	if (parse(stored, salt, &salt_len, want, &why))
		return false;
	digest(salt, salt_len, pw, pw_len, got);
	/* Every byte is compared whatever the first difference: no timing hint. */
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		diff |= (uint8_t)(want[i] ^ got[i]);
	memset(got, 0, sizeof(got));
	return diff == 0;
}
