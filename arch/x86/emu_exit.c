#define LOG_TAG "test"
#include <plinth/console.h>
#include <plinth/emu_exit.h>
#include <plinth/log.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/io.h>

#define QEMU_DEBUG_EXIT_PORT 0xF4
#define BOCHS_SHUTDOWN_PORT 0x8900

void emu_exit(enum emu_exit_status status)
{
	static const char bochs_shutdown[] = "Shutdown";

	log_printf(LOG_PANIC, LOG_TAG, "emulator exit status %d", (int)status);
	console_flush();
	outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
	for (const char *c = bochs_shutdown; *c; c++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
	cpu_halt_forever();
}
