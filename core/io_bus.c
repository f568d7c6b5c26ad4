#include <plinth/errno.h>
#include <plinth/io_bus.h>

#define IO_BUS_MAX_DEVICES 32

static struct io_device devices[IO_BUS_MAX_DEVICES];
static size_t device_count;

int io_bus_register(const struct io_device *dev)
{
	if (device_count == IO_BUS_MAX_DEVICES)
		return -E_NOSPC;
	for (size_t i = 0; i < device_count; i++)
		if (dev->base < devices[i].base + devices[i].count &&
		    devices[i].base < dev->base + dev->count)
			return -E_EXIST;
	devices[device_count++] = *dev;
	return 0;
}

bool io_bus_access(struct guest *g, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	for (size_t i = 0; i < device_count; i++) {
		struct io_device *d = &devices[i];
		if (port >= d->base && port - d->base < d->count) {
			d->access(g, d->opaque, port, size, in, value);
			return true;
		}
	}
	return false;
}
