/*
 * The screen console: the hypervisor log on the loader's framebuffer (GOP,
 * VBE) or on VGA text memory, so a machine with a monitor and no serial cable
 * shows what happens. With a PS/2 keyboard beside it, it is a terminal for
 * the management console as the serial line is: keys typed there feed the
 * one console (console_getc) and the screen shows its prompts and output
 * and an attached guest's terminal. Without one it shows log lines and
 * panic dumps only (log_only): a prompt nobody can answer there is noise.
 */
#define LOG_TAG "console"
#include <plinth/boot_info.h>
#include <plinth/console.h>
#include <plinth/fb_text.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/ps2_keyboard.h>
#include <plinth/string.h>
#include <plinth/vga_text.h>
#include <plinth/x86/io.h>

/*
 * The shadow grid: 256x128 cells (64 KiB) covers 2048x2048 pixels at 8x16;
 * bigger screens get the font scaled up (fb_text_init).
 */
#define SCREEN_MAX_CELLS (256 * 128)
#define BIOS_DATA_AREA 0x400
#define FOUR_GIB (1ULL << 32)

enum screen_kind { SCREEN_NONE, SCREEN_FB, SCREEN_VGA };

static struct text_cell grid[SCREEN_MAX_CELLS];
static struct fb_text fb;
static struct vga_text vga;
static enum screen_kind kind;
static bool wanted = true;   /* console=noscreen clears it */
static bool registered;
static bool started;
static bool broken;          /* a fault while drawing: never draw again */
static bool keyboard;        /* a PS/2 keyboard types at this screen */
static volatile int drawing_cpu = -1;

static struct text_screen *screen_terminal(void)
{
	return kind == SCREEN_FB ? &fb.ts : &vga.ts;
}

static void screen_write(struct console_sink *sink, const char *s, size_t n)
{
	int cpu = (int)this_cpu()->cpu;

	(void)sink;
	/*
	 * Drawing faulted and the panic dump came back here on the same CPU:
	 * give up on the screen so the dump reaches the serial port.
	 */
	if (broken || drawing_cpu == cpu) {
		broken = true;
		return;
	}
	drawing_cpu = cpu;
	text_screen_write(screen_terminal(), s, n);
	drawing_cpu = -1;
}

/* Errors and panic dumps in light red, warnings in yellow, the rest as it is. */
static void screen_write_log(struct console_sink *sink, int level, const char *s, size_t n)
{
	struct text_screen *ts = screen_terminal();
	uint8_t colour = level <= LOG_ERROR ? TEXT_LIGHT_RED :
			 level == LOG_WARN ? TEXT_YELLOW : TEXT_LIGHT_GREY;

	ts->attr = TEXT_ATTR(colour, TEXT_BLACK);
	screen_write(sink, s, n);
	ts->attr = TEXT_DEFAULT_ATTR;
}

static struct console_sink screen_sink = {
	.name = "screen", .write = screen_write, .write_log = screen_write_log, .log_only = true,
};

static void set_registered(bool on)
{
	if (on == registered)
		return;
	if (on)
		console_register(&screen_sink);
	else
		console_unregister(&screen_sink);
	registered = on;
}

/* The BIOS cursor would blink wherever the BIOS left it: hide it (CRTC cursor start, bit 5). */
static void vga_hide_cursor(uint16_t crtc_port)
{
	outb(crtc_port, 0x0A);
	outb((uint16_t)(crtc_port + 1), 0x20);
}

static bool in_usable_ram(const struct boot_info *bi, uint64_t addr)
{
	for (size_t i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == MEM_USABLE && addr >= bi->mem[i].base &&
		    addr - bi->mem[i].base < bi->mem[i].size)
			return true;
	return false;
}

/*
 * No framebuffer from the loader. QEMU's -kernel (multiboot1) and GRUB on a
 * BIOS without a framebuffer request leave the display in the BIOS's text
 * mode, with its text memory at 0xB8000; the BIOS data area (page 0, still
 * mapped by the boot stub) says which mode that is. On a UEFI machine there
 * may be no VGA at all and 0xB8000 may be anything, so only a BIOS boot (no
 * EFI system table) whose data area describes a text mode that the memory
 * map does not call RAM is taken as VGA text.
 */
static bool find_bios_text_mode(const struct boot_info *bi, struct vga_bios_mode *m)
{
	uint8_t bda[256];
	uintptr_t addr = BIOS_DATA_AREA;

	if (bi->protocol == BOOT_PROTO_UEFI || bi->efi_system_table != 0)
		return false;
	__asm__("" : "+r"(addr)); /* a real address, not a near-NULL pointer bug */
	memcpy(bda, (const void *)addr, sizeof(bda));
	return vga_bios_text_mode(bda, m) && !in_usable_ram(bi, m->addr);
}

static void start_vga(uint64_t addr, uint32_t cols, uint32_t rows, uint16_t crtc_port,
		      const char *how)
{
	const char *why;

	if (vga_text_init(&vga, (void *)(uintptr_t)addr, cols, rows, grid, SCREEN_MAX_CELLS,
			  &why) != 0) {
		log_warn("screen: %ux%u VGA text at %#llx: %s; serial only", cols, rows,
			 (unsigned long long)addr, why);
		return;
	}
	kind = SCREEN_VGA;
	vga_hide_cursor(crtc_port);
	vga_text_go_live(&vga);
	set_registered(true);
	log_info("screen: %ux%u VGA text at %#llx (%s)", cols, rows, (unsigned long long)addr, how);
}

static void start_fb(const struct boot_framebuffer *d)
{
	const char *why;
	uint64_t end = d->addr + (uint64_t)d->pitch * d->height;

	if (fb_text_init(&fb, d, (void *)(uintptr_t)d->addr, grid, SCREEN_MAX_CELLS, &why) != 0) {
		log_warn("screen: %ux%ux%u framebuffer at %#llx: %s; serial only", d->width,
			 d->height, d->bpp, (unsigned long long)d->addr, why);
		return;
	}
	kind = SCREEN_FB;
	/* The boot stub maps the first 4 GiB; above that, wait for the final tables. */
	if (end <= FOUR_GIB)
		fb_text_go_live(&fb);
	set_registered(true);
	log_info("screen: %ux%ux%u framebuffer at %#llx, %ux%u characters%s", d->width,
		 d->height, d->bpp, (unsigned long long)d->addr, fb.ts.cols, fb.ts.rows,
		 fb.live ? "" : " (shown once the page tables map it)");
}

/*
 * Only the boot CPU runs yet and no prompt was drawn: the sink may stop
 * being log-only while registered.
 */
static void start_keyboard(void)
{
	const char *why;

	if (!ps2_keyboard_start(&why)) {
		log_info("screen: no keyboard (%s); the screen shows the log only", why);
		return;
	}
	keyboard = true;
	screen_sink.log_only = false;
	log_info("screen: PS/2 keyboard (US layout): the management console is on the screen too");
}

int console_screen_getc(void)
{
	return registered && keyboard ? ps2_keyboard_getc() : -1;
}

void console_screen_start(const struct boot_info *bi)
{
	struct vga_bios_mode m;

	started = true;
	if (!wanted) {
		log_info("screen: off (console=noscreen)");
		return;
	}
	if (bi->has_framebuffer) {
		const struct boot_framebuffer *d = &bi->fb;

		if (d->type == FB_TYPE_EGA_TEXT)
			start_vga(d->addr, d->width, d->height, 0x3D4, "from the boot loader");
		else
			start_fb(d);
	} else if (find_bios_text_mode(bi, &m)) {
		start_vga(m.addr, m.cols, m.rows, m.crtc_port, "BIOS text mode");
	} else {
		log_info("screen: none (the loader reported no framebuffer); serial only");
	}
	if (registered)
		start_keyboard();
}

void console_screen_paging_ready(void)
{
	if (kind == SCREEN_FB && !fb.live) {
		fb_text_go_live(&fb);
		log_info("screen: framebuffer mapped, drawing");
	}
}

void console_screen_choose(enum console_screen_choice choice, const char *origin)
{
	bool on = choice == SCREEN_ON;

	if (choice == SCREEN_UNSAID || on == wanted)
		return;
	wanted = on;
	if (!started)
		return; /* console_screen_start decides */
	if (!on) {
		log_info("screen: off (%s=noscreen)", origin);
		set_registered(false);
	} else if (kind != SCREEN_NONE) {
		set_registered(true);
		log_info("screen: on (%s=screen)", origin);
	} else {
		log_info("%s=screen: there is no screen to use", origin);
	}
}
