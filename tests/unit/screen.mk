# Screen console: text terminal, framebuffer and VGA text back ends, the font.
UNIT_SRCS_screen := drivers/text_screen.c drivers/fb_text.c drivers/vga_text.c $(FONT_C)
