/*
 * The I/O-port bus: emulated devices register port ranges; the I/O exit
 * handler dispatches to them. A port nobody claims reads all-ones and
 * ignores writes, like a bus with nothing on it.
 */
#ifndef PLINTH_IO_BUS_H
#define PLINTH_IO_BUS_H

#include <plinth/types.h>

struct guest;

struct io_device {
	const char *name;
	uint16_t base, count;
	/* value holds `size` bytes (1, 2, 4); in: fill it, out: consume it */
	void (*access)(struct guest *g, void *opaque, uint16_t port, uint8_t size, bool in,
		       uint32_t *value);
	void *opaque;
};

/* Register a device for all guests; -E_EXIST on overlap, -E_NOSPC when full. */
int io_bus_register(const struct io_device *dev);
/* true when a device took the access. */
bool io_bus_access(struct guest *g, uint16_t port, uint8_t size, bool in, uint32_t *value);

#endif
