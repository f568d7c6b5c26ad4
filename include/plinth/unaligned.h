/*
 * Little-endian fields at any alignment: firmware tables, boot images and
 * UEFI descriptors are packed byte streams. Shifts, not casts, so nothing
 * depends on alignment or the host's byte order; GCC makes one load of each.
 */
#ifndef PLINTH_UNALIGNED_H
#define PLINTH_UNALIGNED_H

#include <plinth/types.h>

static inline uint16_t le16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t le64_at(const uint8_t *p)
{
	return (uint64_t)le32_at(p) | (uint64_t)le32_at(p + 4) << 32;
}

#endif
