# The VGA text back end of the screen console (drivers/vga_text.c).
UNIT_SRCS_vga_text := drivers/vga_text.c drivers/text_screen.c
