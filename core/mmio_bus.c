#include <plinth/errno.h>
#include <plinth/mmio_bus.h>

#define MMIO_BUS_MAX_DEVICES 32

static struct mmio_device devices[MMIO_BUS_MAX_DEVICES];
static size_t device_count;

int mmio_bus_register(const struct mmio_device *dev)
{
	if (dev->size == 0 || dev->base + dev->size < dev->base)
		return -E_INVAL;
	if (device_count == MMIO_BUS_MAX_DEVICES)
		return -E_NOSPC;
	for (size_t i = 0; i < device_count; i++)
		if (dev->base < devices[i].base + devices[i].size &&
		    devices[i].base < dev->base + dev->size)
			return -E_EXIST;
	devices[device_count++] = *dev;
	return 0;
}

bool mmio_bus_access(struct guest *g, uint64_t gpa, uint8_t size, bool write, uint64_t *value)
{
	for (size_t i = 0; i < device_count; i++) {
		struct mmio_device *d = &devices[i];
		if (gpa >= d->base && gpa - d->base < d->size && size <= d->size - (gpa - d->base)) {
			d->access(g, d->opaque, gpa, size, write, value);
			return true;
		}
	}
	return false;
}
