/*
 * What the firmware knows and multiboot2 would pass on: the GOP framebuffer
 * (as it is: the loader does not change the video mode) and the ACPI RSDP.
 */
#include <plinth/string.h>

#include "loader.h"

static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* Lowest set bit and width of a contiguous colour mask. */
static void mask_to_field(uint32_t mask, uint8_t *pos, uint8_t *size)
{
	*pos = 0;
	*size = 0;
	if (mask == 0)
		return;
	while (!(mask & 1)) {
		mask >>= 1;
		(*pos)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*size)++;
	}
}

void platform_framebuffer(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mode;
	struct boot_framebuffer *fb = &bi->fb;
	EFI_STATUS st = efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop);

	if (EFI_ERROR(st) || !gop->Mode || !gop->Mode->Info)
		return; /* no display: nothing to pass */
	mode = gop->Mode->Info;
	memset(fb, 0, sizeof(*fb));
	fb->addr = gop->Mode->FrameBufferBase;
	fb->width = mode->HorizontalResolution;
	fb->height = mode->VerticalResolution;
	fb->type = FB_TYPE_RGB;
	fb->bpp = 32;
	switch (mode->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red_pos = 0, fb->green_pos = 8, fb->blue_pos = 16;
		fb->red_size = fb->green_size = fb->blue_size = 8;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->blue_pos = 0, fb->green_pos = 8, fb->red_pos = 16;
		fb->red_size = fb->green_size = fb->blue_size = 8;
		break;
	case PixelBitMask: {
		EFI_PIXEL_BITMASK m = mode->PixelInformation;
		uint32_t all = m.RedMask | m.GreenMask | m.BlueMask | m.ReservedMask;

		mask_to_field(m.RedMask, &fb->red_pos, &fb->red_size);
		mask_to_field(m.GreenMask, &fb->green_pos, &fb->green_size);
		mask_to_field(m.BlueMask, &fb->blue_pos, &fb->blue_size);
		fb->bpp = 0;
		while (all) { /* the highest used bit gives the pixel size */
			all >>= 1;
			fb->bpp++;
		}
		fb->bpp = (uint8_t)ALIGN_UP(fb->bpp, 8);
		break;
	}
	case PixelBltOnly:
	case PixelFormatMax:
	default:
		return; /* no linear framebuffer to pass */
	}
	fb->pitch = mode->PixelsPerScanLine * (fb->bpp / 8);
	bi->has_framebuffer = true;
}

/* ACPI RSDP length: 20 bytes for revision 0, the Length field (at 20) after. */
static uint8_t rsdp_length(const uint8_t *rsdp)
{
	uint32_t len;

	if (rsdp[15] < 2)
		return 20;
	memcpy(&len, rsdp + 20, sizeof(len));
	return (uint8_t)MIN(len, (uint32_t)BOOT_RSDP_MAX);
}

void platform_rsdp(struct boot_info *bi)
{
	const uint8_t *v1 = NULL, *v2 = NULL, *rsdp;

	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &efi_st->ConfigurationTable[i];

		if (memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID)) == 0)
			v2 = t->VendorTable;
		else if (memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)) == 0)
			v1 = t->VendorTable;
	}
	rsdp = v2 ? v2 : v1;
	if (!rsdp) {
		say("the firmware lists no ACPI tables; Plinth will search the BIOS area for them");
		return;
	}
	bi->rsdp_len = rsdp_length(rsdp);
	memcpy(bi->rsdp, rsdp, bi->rsdp_len);
}
