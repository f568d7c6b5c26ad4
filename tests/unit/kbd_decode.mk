# PS/2 scancode set 1 decoder for the screen console's keyboard (drivers/kbd_decode.c).
UNIT_SRCS_kbd_decode := drivers/kbd_decode.c
