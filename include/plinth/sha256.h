/*
 * SHA-256 (FIPS 180-4), for the console's admin password hash
 * (core/password.c). Incremental: init, any number of updates, final.
 */
#ifndef PLINTH_SHA256_H
#define PLINTH_SHA256_H

#include <plinth/types.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t total;                     /* bytes hashed so far */
	size_t used;                        /* bytes waiting in block */
	uint8_t block[SHA256_BLOCK_SIZE];
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE]);
/* The digest of data[0..len) in one call. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif
