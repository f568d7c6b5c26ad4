/*
 * Seeded xorshift64* for randomized unit tests: a fixed seed keeps every run,
 * and every failure, repeatable on any host. One generator per test binary.
 */
#ifndef PLINTH_TEST_RNG_H
#define PLINTH_TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static inline void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9E3779B97F4A7C15ULL; /* xorshift needs non-zero */
}

static inline uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Uniform enough for tests in [0, n); n > 0. */
static inline uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

#endif
