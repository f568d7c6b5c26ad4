/*
 * The console's admin password, stored as a salted SHA-256 hash
 * (docs/console.md):
 *
 *     sha256$SALT$HASH
 *
 * SALT is 1..32 bytes as lower-case hex (tools/plinth-cfg passwd uses 16
 * random bytes), HASH is SHA-256(salt bytes || password bytes) as 64
 * lower-case hex digits. The same code builds the hash on the host
 * (plinth-cfg) and checks it in the hypervisor.
 */
#ifndef PLINTH_PASSWORD_H
#define PLINTH_PASSWORD_H

#include <plinth/types.h>

#define PASSWORD_SALT_MAX 32
/* "sha256$" + 64 salt hex + "$" + 64 hash hex + NUL */
#define PASSWORD_HASH_STR_MAX (7 + 2 * PASSWORD_SALT_MAX + 1 + 64 + 1)

/* Write the stored form for salt and password into out: 0, or -E_INVAL (salt size, out too small). */
int password_hash_make(const uint8_t *salt, size_t salt_len, const char *pw, size_t pw_len,
		       char *out, size_t out_size);
/*
 * Check the form of a stored hash: 0, or -E_INVAL with a reason in why
 * ("missing the sha256$ prefix", ...) for messages.
 */
int password_hash_check(const char *stored, const char **why);
/* Whether pw matches the stored hash (false also when it is malformed). Constant time in the digest. */
bool password_verify(const char *stored, const char *pw, size_t pw_len);

#endif
