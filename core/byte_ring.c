/* Overwrite-oldest byte ring (include/plinth/byte_ring.h). */
#include <plinth/byte_ring.h>
#include <plinth/string.h>

void byte_ring_init(struct byte_ring *r, char *buf, size_t size)
{
	r->buf = buf;
	r->size = buf ? size : 0;
	r->head = r->tail = r->dropped = 0;
}

size_t byte_ring_used(const struct byte_ring *r)
{
	return (size_t)(r->head - r->tail);
}

void byte_ring_write(struct byte_ring *r, const char *s, size_t n)
{
	if (r->size == 0) {
		r->dropped += n;
		return;
	}
	/* Only the last `size` bytes of a long write can survive it. */
	if (n > r->size) {
		size_t skip = n - r->size;
		r->dropped += byte_ring_used(r) + skip;
		r->head += skip;
		r->tail = r->head;
		s += skip;
		n = r->size;
	}
	size_t free_bytes = r->size - byte_ring_used(r);
	if (n > free_bytes) {
		r->dropped += n - free_bytes;
		r->tail += n - free_bytes;
	}
	size_t at = (size_t)(r->head % r->size);
	size_t first = MIN(n, r->size - at);
	memcpy(r->buf + at, s, first);
	memcpy(r->buf, s + first, n - first);
	r->head += n;
}

size_t byte_ring_peek(const struct byte_ring *r, char *out, size_t n)
{
	size_t avail = byte_ring_used(r);

	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	size_t at = (size_t)(r->tail % r->size);
	size_t first = MIN(n, r->size - at);
	memcpy(out, r->buf + at, first);
	memcpy(out + first, r->buf, n - first);
	return n;
}

size_t byte_ring_read(struct byte_ring *r, char *out, size_t n)
{
	n = byte_ring_peek(r, out, n);
	r->tail += n;
	return n;
}

uint64_t byte_ring_take_dropped(struct byte_ring *r)
{
	uint64_t d = r->dropped;

	r->dropped = 0;
	return d;
}

void byte_ring_drop_oldest(struct byte_ring *r, size_t n)
{
	n = MIN(n, byte_ring_used(r));
	r->tail += n;
	r->dropped += n;
}

void byte_ring_clear(struct byte_ring *r)
{
	r->tail = r->head;
}
