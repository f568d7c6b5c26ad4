/*
 * The MMIO bus: emulated devices register guest-physical ranges outside RAM;
 * a guest's access there faults to the hypervisor (stage 2 maps nothing),
 * core/exit_fault.c decodes the instruction and dispatches it here. An
 * address nobody claims reads all-ones and ignores writes, like a bus with
 * nothing on it. Like the I/O bus, devices are registered once for all
 * guests and find the guest's own state through `g`.
 */
#ifndef PLINTH_MMIO_BUS_H
#define PLINTH_MMIO_BUS_H

#include <plinth/types.h>

struct guest;

struct mmio_device {
	const char *name;
	uint64_t base, size;
	/* value holds `size` bytes (1, 2, 4, 8); read: fill it, write: consume it */
	void (*access)(struct guest *g, void *opaque, uint64_t gpa, uint8_t size, bool write,
		       uint64_t *value);
	void *opaque;
};

/* -E_INVAL (empty or wrapping range), -E_EXIST on overlap, -E_NOSPC when full. */
int mmio_bus_register(const struct mmio_device *dev);
/* true when a device took the access (the whole access must lie in its range). */
bool mmio_bus_access(struct guest *g, uint64_t gpa, uint8_t size, bool write, uint64_t *value);

#endif
