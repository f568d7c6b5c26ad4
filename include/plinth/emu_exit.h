/*
 * Ending an emulator run with a status, for self-tests: QEMU's isa-debug-exit
 * device (port 0xf4; QEMU exits with (status << 1) | 1) and Bochs' shutdown
 * port (0x8900). Only used when the command line asks for a self-test.
 */
#ifndef PLINTH_EMU_EXIT_H
#define PLINTH_EMU_EXIT_H

#include <plinth/types.h>

enum emu_exit_status {
	EMU_EXIT_PASS = 0,
	EMU_EXIT_FAIL = 1,
	EMU_EXIT_PANIC = 2,
};

__noreturn void emu_exit(enum emu_exit_status status);

#endif
