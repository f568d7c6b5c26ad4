/*
 * A byte ring that never blocks its writer: when full, the oldest bytes are
 * overwritten and counted as dropped. Keeps a detached guest's console
 * output until someone attaches (docs/console.md). Not locked: the owner
 * serialises writers and readers.
 */
#ifndef PLINTH_BYTE_RING_H
#define PLINTH_BYTE_RING_H

#include <plinth/types.h>

struct byte_ring {
	char *buf;
	size_t size;        /* 0: a ring that keeps nothing (every byte is dropped) */
	uint64_t head;      /* bytes ever written */
	uint64_t tail;      /* position of the oldest byte kept */
	uint64_t dropped;   /* overwritten before being read, since the last take */
};

/* An empty ring on buf[0..size) (size may be 0). */
void byte_ring_init(struct byte_ring *r, char *buf, size_t size);
void byte_ring_write(struct byte_ring *r, const char *s, size_t n);
/* Move up to n of the oldest bytes to out; returns how many. */
size_t byte_ring_read(struct byte_ring *r, char *out, size_t n);
/* Copy up to n of the oldest bytes to out without taking them; returns how many. */
size_t byte_ring_peek(const struct byte_ring *r, char *out, size_t n);
/* Bytes waiting to be read. */
size_t byte_ring_used(const struct byte_ring *r);
/* The dropped count, which starts again from 0. */
uint64_t byte_ring_take_dropped(struct byte_ring *r);
/* Drop the oldest n bytes kept (or all, if fewer), counted as dropped. */
void byte_ring_drop_oldest(struct byte_ring *r, size_t n);
/* Forget what is kept (counts as read, not dropped). */
void byte_ring_clear(struct byte_ring *r);

#endif
