/*
 * Files on the EFI system partition this loader was started from (the
 * device of its own image), through the firmware's FAT driver.
 */
#include <plinth/string.h>

#include "loader.h"

#define PATH_MAX_CHARS 256
/* Modules and the handoff must be reachable under the kernel's early 4 GiB map. */
#define BELOW_4G 0xFFFFFFFFull

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;

EFI_FILE_HANDLE esp_root(void)
{
	EFI_LOADED_IMAGE *image;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root;
	EFI_STATUS st;

	st = efi_bs->HandleProtocol(efi_image, &loaded_image_guid, (void **)&image);
	if (EFI_ERROR(st))
		fail("cannot find out which device I was loaded from: %s", efi_status_text(st));
	st = efi_bs->HandleProtocol(image->DeviceHandle, &simple_fs_guid, (void **)&fs);
	if (EFI_ERROR(st))
		fail("the device I was loaded from has no file system the firmware reads: %s",
		     efi_status_text(st));
	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		fail("cannot open the EFI system partition: %s", efi_status_text(st));
	return root;
}

static void to_ucs2(const char *s, CHAR16 *out, size_t max)
{
	size_t i = 0;

	for (; s[i] && i + 1 < max; i++)
		out[i] = (CHAR16)(unsigned char)s[i];
	out[i] = 0;
}

/* The firmware's EFI_FILE_INFO for an open file, in pool memory. */
static EFI_FILE_INFO *file_info(EFI_FILE_HANDLE f, const char *path)
{
	UINTN size = 0;
	EFI_FILE_INFO *info = NULL;
	EFI_STATUS st = f->GetInfo(f, &file_info_guid, &size, NULL);

	if (st == EFI_BUFFER_TOO_SMALL) {
		st = efi_bs->AllocatePool(EfiLoaderData, size, (void **)&info);
		if (EFI_ERROR(st))
			fail("%s: no memory for its file information (%llu bytes): %s", path,
			     (unsigned long long)size, efi_status_text(st));
		st = f->GetInfo(f, &file_info_guid, &size, info);
	}
	if (EFI_ERROR(st))
		fail("%s: cannot read its size: %s", path, efi_status_text(st));
	return info;
}

EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *path, struct loaded_file *out)
{
	CHAR16 wpath[PATH_MAX_CHARS];
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	EFI_STATUS st;
	UINTN got;

	to_ucs2(path, wpath, ARRAY_SIZE(wpath));
	st = root->Open(root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return st;
	if (EFI_ERROR(st))
		fail("%s: cannot open it: %s", path, efi_status_text(st));
	info = file_info(f, path);
	out->size = info->FileSize;
	efi_bs->FreePool(info);
	/* At least one page, so an empty file still has an address. */
	out->pages = ALIGN_UP(out->size, PAGE_SIZE) / PAGE_SIZE;
	if (out->pages == 0)
		out->pages = 1;
	st = efi_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, out->pages, &addr);
	if (EFI_ERROR(st))
		fail("%s: not enough memory below 4 GiB for its %llu KiB: %s", path,
		     (unsigned long long)(out->size >> 10), efi_status_text(st));
	out->data = (uint8_t *)(uintptr_t)addr;
	got = out->size;
	st = f->Read(f, &got, out->data);
	if (EFI_ERROR(st) || got != out->size)
		fail("%s: read %llu of %llu bytes: %s", path, (unsigned long long)got,
		     (unsigned long long)out->size, efi_status_text(st));
	f->Close(f);
	return EFI_SUCCESS;
}

void file_free(struct loaded_file *f)
{
	efi_bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)f->data, f->pages);
	f->data = NULL;
}

/* A directory entry's name in ASCII; false if it has other characters. */
static bool ascii_name(const CHAR16 *w, char *out, size_t max)
{
	size_t i = 0;

	for (; w[i]; i++) {
		if (w[i] < 0x20 || w[i] > 0x7e || i + 1 >= max)
			return false;
		out[i] = (char)w[i];
	}
	out[i] = '\0';
	return true;
}

static void sort_names(char names[][BOOT_NAME_MAX], size_t n)
{
	char tmp[BOOT_NAME_MAX];

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			memcpy(tmp, names[j], sizeof(tmp));
			memcpy(names[j], names[j - 1], sizeof(tmp));
			memcpy(names[j - 1], tmp, sizeof(tmp));
		}
}

size_t dir_list(EFI_FILE_HANDLE root, const char *dir, char names[][BOOT_NAME_MAX],
		size_t max)
{
	CHAR16 wdir[PATH_MAX_CHARS];
	/* EFI_FILE_INFO plus a name of up to 255 characters (FAT's limit). */
	UINT64 buf[(sizeof(EFI_FILE_INFO) + 256 * sizeof(CHAR16)) / 8 + 1];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	EFI_FILE_HANDLE d;
	size_t n = 0;
	EFI_STATUS st;

	to_ucs2(dir, wdir, ARRAY_SIZE(wdir));
	st = root->Open(root, &d, wdir, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		fail("%s: cannot open the directory: %s", dir, efi_status_text(st));
	for (;;) {
		UINTN size = sizeof(buf);

		st = d->Read(d, &size, info);
		if (EFI_ERROR(st))
			fail("%s: cannot read the directory: %s", dir, efi_status_text(st));
		if (size == 0)
			break;
		if (info->Attribute & EFI_FILE_DIRECTORY)
			continue;
		if (n == max)
			fail("%s: more than %zu files; Plinth takes at most %d boot modules", dir,
			     max, BOOT_MAX_MODULES);
		if (!ascii_name(info->FileName, names[n], BOOT_NAME_MAX)) {
			say("%s: skipping a file whose name is not plain ASCII or too long", dir);
			continue;
		}
		n++;
	}
	d->Close(d);
	sort_names(names, n);
	return n;
}
