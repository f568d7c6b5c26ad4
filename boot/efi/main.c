/*
 * Plinth's UEFI loader: reads the kernel and its files from the ESP, fills
 * the same struct boot_info the multiboot path produces, leaves the firmware
 * and starts the kernel's 64-bit entry (include/plinth/uefi_handoff.h).
 * docs/boot.md describes the files it reads and the messages it prints.
 */
#include <plinth/kernel.h>
#include <plinth/string.h>

#include "cmdline_text.h"
#include "loader.h"

#define PLINTH_DIR "\\plinth"
#define KERNEL_NAME "plinth.elf"
#define CMDLINE_FILE "\\EFI\\plinth\\cmdline.txt"
#define BELOW_4G 0xFFFFFFFFull

static struct uefi_handoff *handoff_alloc(void)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	UINTN pages = ALIGN_UP(sizeof(struct uefi_handoff), PAGE_SIZE) / PAGE_SIZE;
	EFI_STATUS st = efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &addr);
	struct uefi_handoff *h;

	if (EFI_ERROR(st))
		fail("not enough memory below 4 GiB for the boot information (%llu KiB): %s",
		     (unsigned long long)(pages * 4), efi_status_text(st));
	h = (struct uefi_handoff *)(uintptr_t)addr;
	memset(h, 0, sizeof(*h));
	h->magic = PLINTH_UEFI_MAGIC;
	h->version = PLINTH_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->bi.protocol = BOOT_PROTO_UEFI;
	str_copy(h->bi.loader_name, "Plinth UEFI loader " PLINTH_VERSION,
		 sizeof(h->bi.loader_name));
	h->bi.efi_system_table = (uint64_t)(uintptr_t)efi_st;
	return h;
}

/* The shell's arguments or a boot entry's text (docs/boot.md). */
static void cmdline_from_image(char *out, size_t max)
{
	static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *image;

	if (EFI_ERROR(efi_bs->HandleProtocol(efi_image, &loaded_image_guid, (void **)&image)))
		return;
	if (cmdline_from_load_options(out, max, image->LoadOptions, image->LoadOptionsSize) ==
	    CMDLINE_OPTIONS_TOO_LONG)
		fail("the load options (%llu bytes of text) are longer than Plinth's command line limit of %zu characters",
		     (unsigned long long)image->LoadOptionsSize, max - 1);
}

static void read_cmdline(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	struct loaded_file f;

	if (file_read(root, CMDLINE_FILE, &f) == EFI_SUCCESS) {
		if (f.size >= sizeof(bi->cmdline))
			fail("%s: %llu bytes, longer than Plinth's command line limit of %zu", CMDLINE_FILE,
			     (unsigned long long)f.size, sizeof(bi->cmdline) - 1);
		cmdline_from_text(bi->cmdline, sizeof(bi->cmdline), (const char *)f.data, f.size);
		file_free(&f);
		return;
	}
	cmdline_from_image(bi->cmdline, sizeof(bi->cmdline));
}

/* Every file of \plinth\ but the kernel, named "/plinth/NAME" as grub.cfg does. */
static void load_modules(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	static char names[BOOT_MAX_MODULES + 1][BOOT_NAME_MAX];
	size_t n = dir_list(root, PLINTH_DIR, names, ARRAY_SIZE(names));
	char path[BOOT_NAME_MAX + 16];

	for (size_t i = 0; i < n; i++) {
		struct boot_module *m;
		struct loaded_file f;

		if (strcmp(names[i], KERNEL_NAME) == 0)
			continue;
		if (bi->module_count == BOOT_MAX_MODULES)
			fail("%s: more than %d files besides %s; Plinth takes at most %d boot modules",
			     PLINTH_DIR, BOOT_MAX_MODULES, KERNEL_NAME, BOOT_MAX_MODULES);
		if (strlen(names[i]) + sizeof("/plinth/") > BOOT_NAME_MAX)
			fail("%s\\%s: the name is too long for a boot module (at most %zu characters)",
			     PLINTH_DIR, names[i], BOOT_NAME_MAX - sizeof("/plinth/"));
		str_copy(path, PLINTH_DIR "\\", sizeof(path));
		str_copy(path + strlen(path), names[i], sizeof(path) - strlen(path));
		if (file_read(root, path, &f) != EFI_SUCCESS)
			fail("%s: listed in the directory but cannot be opened", path);
		m = &bi->modules[bi->module_count++];
		m->start = (uint64_t)(uintptr_t)f.data;
		m->end = m->start + f.size;
		str_copy(m->cmdline, "/plinth/", sizeof(m->cmdline));
		str_copy(m->cmdline + strlen(m->cmdline), names[i],
			 sizeof(m->cmdline) - strlen(m->cmdline));
	}
	say("%zu module(s) from %s", bi->module_count, PLINTH_DIR);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_FILE_HANDLE root;
	struct loaded_file elf;
	struct kernel_plan plan;
	struct uefi_handoff *h;

	console_init(st, image);
	say("Plinth UEFI loader %s", PLINTH_VERSION);
	root = esp_root();
	if (file_read(root, PLINTH_DIR "\\" KERNEL_NAME, &elf) != EFI_SUCCESS)
		fail("%s\\%s is missing on this partition: copy the kernel there", PLINTH_DIR,
		     KERNEL_NAME);
	kernel_load(&elf, PLINTH_DIR "\\" KERNEL_NAME, &plan);
	file_free(&elf);
	h = handoff_alloc();
	read_cmdline(root, &h->bi);
	load_modules(root, &h->bi);
	platform_framebuffer(&h->bi);
	platform_rsdp(&h->bi);
	root->Close(root);
	handoff_start_kernel(h, plan.entry);
}
