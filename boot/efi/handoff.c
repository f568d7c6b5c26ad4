/*
 * Leaving the firmware: the final memory map, ExitBootServices, the jump.
 *
 * ExitBootServices takes the key of the latest memory map; if anything
 * allocated in between (a timer event in the firmware can) it fails with
 * EFI_INVALID_PARAMETER and the map must be read again. Between getting the
 * map and exiting nothing here allocates or prints, and the buffer is sized
 * with room to spare up front because allocating after a failed exit is not
 * allowed. The map is converted only after the exit succeeded, into memory
 * allocated before.
 */
#include <plinth/format.h>
#include <plinth/string.h>

#include "loader.h"
#include "memmap.h"

#define EXIT_ATTEMPTS 8
#define SPARE_DESCRIPTORS 32

typedef void kernel_entry_fn(uint64_t handoff);

/* The test build tells the boot test, through the loader name, how many tries it took. */
static void record_attempts(struct uefi_handoff *h, int attempts)
{
#ifdef PLINTH_EFI_TEST_STALE_MAP_KEY
	size_t len = strlen(h->bi.loader_name);

	fmt_snprintf(h->bi.loader_name + len, sizeof(h->bi.loader_name) - len,
		     " (test build: ExitBootServices attempts %d)", attempts);
#else
	(void)h;
	(void)attempts;
#endif
}

void handoff_start_kernel(struct uefi_handoff *h, uint64_t entry)
{
	UINTN map_size = 0, key, desc_size, buf_size;
	UINT32 desc_version;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	EFI_STATUS st;

	st = efi_bs->GetMemoryMap(&map_size, NULL, &key, &desc_size, &desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		fail("cannot read the firmware's memory map: %s", efi_status_text(st));
	if (desc_size < EFI_DESC_MIN_SIZE)
		fail("the firmware's memory descriptors have %llu bytes, fewer than UEFI's %d",
		     (unsigned long long)desc_size, EFI_DESC_MIN_SIZE);
	/* The pool allocation itself adds a descriptor or two. */
	buf_size = map_size + SPARE_DESCRIPTORS * desc_size;
	st = efi_bs->AllocatePool(EfiLoaderData, buf_size, (void **)&map);
	if (EFI_ERROR(st))
		fail("not enough memory for the memory map (%llu bytes): %s",
		     (unsigned long long)buf_size, efi_status_text(st));
	say("starting the kernel");

	for (int attempt = 0;; attempt++) {
		map_size = buf_size;
		st = efi_bs->GetMemoryMap(&map_size, map, &key, &desc_size, &desc_version);
		if (EFI_ERROR(st))
			fail("cannot read the firmware's memory map (attempt %d): %s",
			     attempt + 1, efi_status_text(st));
#ifdef PLINTH_EFI_TEST_STALE_MAP_KEY
		/*
		 * Test build only (make efi-test-loader): change the map once
		 * after reading it, as a firmware timer event can, so that a boot
		 * test runs the retry below.
		 */
		EFI_PHYSICAL_ADDRESS page;

		if (attempt == 0)
			efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page);
#endif
		st = efi_bs->ExitBootServices(efi_image, key);
		if (st == EFI_SUCCESS) {
			record_attempts(h, attempt + 1);
			break;
		}
		if (st != EFI_INVALID_PARAMETER || attempt + 1 == EXIT_ATTEMPTS)
			fail("the firmware refused to hand over the machine (ExitBootServices, attempt %d): %s",
			     attempt + 1, efi_status_text(st));
	}
	console_boot_services_gone();
	__asm__ volatile("cli");
	efi_map_to_boot_info(&h->bi, map, map_size, desc_size);
	((kernel_entry_fn *)(uintptr_t)entry)((uint64_t)(uintptr_t)h);
	for (;;)
		__asm__ volatile("hlt");
}
