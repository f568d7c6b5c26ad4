/*
 * The loader's messages. Everything goes to the firmware's console output
 * (OVMF copies it to COM1, where the boot tests read it). A failure waits
 * for a key rather than returning at once, so the message stays readable
 * on a real screen and the firmware does not silently try the next device.
 */
#include <plinth/format.h>
#include <plinth/log.h>

#include "loader.h"

EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;
EFI_HANDLE efi_image;
static bool services_gone;

void console_init(EFI_SYSTEM_TABLE *st, EFI_HANDLE image)
{
	efi_st = st;
	efi_bs = st->BootServices;
	efi_image = image;
	/*
	 * The boot manager arms a 5-minute watchdog for every boot
	 * application: a failure message must not end in a reset.
	 */
	efi_bs->SetWatchdogTimer(0, 0, 0, NULL);
}

void console_boot_services_gone(void)
{
	services_gone = true;
}

/* ASCII to UCS-2 in chunks, "\n" as "\r\n". */
static void put(const char *s)
{
	CHAR16 buf[128];
	size_t n = 0;

	if (services_gone)
		return;
	for (;; s++) {
		if (*s == '\n' || *s == '\0' || n + 3 >= ARRAY_SIZE(buf)) {
			if (*s == '\n') {
				buf[n++] = L'\r';
				buf[n++] = L'\n';
			}
			buf[n] = 0;
			efi_st->ConOut->OutputString(efi_st->ConOut, buf);
			n = 0;
			if (*s == '\0')
				return;
			if (*s == '\n')
				continue;
		}
		buf[n++] = (CHAR16)(unsigned char)*s;
	}
}

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char line[512];

	put(prefix);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	put(line);
	put("\n");
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("Plinth loader: ", fmt, ap);
	va_end(ap);
}

/* boot/boot_info.c logs through this (e.g. a memory map too big to keep). */
void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	put("Plinth loader: [");
	put(tag);
	va_start(ap, fmt);
	vsay("] ", fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;
	EFI_INPUT_KEY key;
	UINTN index;

	va_start(ap, fmt);
	vsay("Plinth loader: error: ", fmt, ap);
	va_end(ap);
	put("Plinth loader: press any key to return to the firmware.\n");
	if (!services_gone) {
		efi_st->ConIn->Reset(efi_st->ConIn, FALSE);
		efi_bs->WaitForEvent(1, &efi_st->ConIn->WaitForKey, &index);
		efi_st->ConIn->ReadKeyStroke(efi_st->ConIn, &key);
		efi_bs->Exit(efi_image, EFI_LOAD_ERROR, 0, NULL);
	}
	for (;;) /* no firmware left to return to */
		__asm__ volatile("cli; hlt");
}

const char *efi_status_text(EFI_STATUS status)
{
	switch (status) {
	case EFI_SUCCESS:
		return "success";
	case EFI_NOT_FOUND:
		return "not found";
	case EFI_OUT_OF_RESOURCES:
		return "out of resources";
	case EFI_INVALID_PARAMETER:
		return "invalid parameter";
	case EFI_BUFFER_TOO_SMALL:
		return "buffer too small";
	case EFI_DEVICE_ERROR:
		return "device error";
	case EFI_VOLUME_CORRUPTED:
		return "volume corrupted";
	case EFI_ACCESS_DENIED:
		return "access denied";
	case EFI_UNSUPPORTED:
		return "unsupported";
	default:
		return "firmware error";
	}
}
