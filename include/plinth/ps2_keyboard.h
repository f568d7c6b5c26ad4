/*
 * The machine's own PS/2 keyboard behind the legacy i8042 controller (ports
 * 0x60/0x64), polled: the screen console's input (core/console_screen.c).
 * Scancodes become bytes in drivers/kbd_decode.c (set 1, US layout).
 */
#ifndef PLINTH_PS2_KEYBOARD_H
#define PLINTH_PS2_KEYBOARD_H

#include <plinth/types.h>

/*
 * Look for the controller and keep its firmware configuration (only a
 * disabled keyboard port or translation turned off are changed). Every wait
 * is bounded: a machine without one (a UEFI PC without legacy emulation)
 * costs a few port reads. false and *why when there is none.
 */
bool ps2_keyboard_start(const char **why);
/* A byte typed on it, or -1 (none waiting, or no keyboard). Never blocks. */
int ps2_keyboard_getc(void);

#endif
