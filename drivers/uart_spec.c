/* Console spec parsing, kept apart from the port I/O so the host tests it. */
#include <plinth/cmdline.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/uart.h>

#define UART_CLOCK_BAUD 115200u

static const uint16_t legacy_ports[] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };

int uart_parse_spec(const char *spec, uint16_t *port, uint32_t *baud)
{
	char name[32];
	const char *comma = strchr(spec, ',');
	size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
	uint64_t v;

	if (len == 0 || len >= sizeof(name))
		return -E_INVAL;
	memcpy(name, spec, len);
	name[len] = '\0';

	if (len == 4 && strncmp(name, "com", 3) == 0 && name[3] >= '1' && name[3] <= '4')
		*port = legacy_ports[name[3] - '1'];
	else if (len == 5 && strncmp(name, "ttyS", 4) == 0 && name[4] >= '0' && name[4] <= '3')
		*port = legacy_ports[name[4] - '0'];
	else if (parse_u64(name, &v) == 0 && v > 0 && v <= 0xFFF8)
		*port = (uint16_t)v;
	else
		return -E_INVAL;

	*baud = UART_CLOCK_BAUD;
	if (comma) {
		if (parse_u64(comma + 1, &v) != 0 || v == 0 || v > UART_CLOCK_BAUD ||
		    UART_CLOCK_BAUD % v != 0)
			return -E_INVAL;
		*baud = (uint32_t)v;
	}
	return 0;
}
