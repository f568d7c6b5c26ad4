/*
 * Guest images: ELF32/ELF64 and Multiboot 0.6.96 kernels, Linux bzImages and
 * flat binaries, planned from an in-memory image (a boot module). image_plan()
 * checks every offset and size against the file and the guest's RAM and
 * produces a plan:
 * which file bytes go to which guest-physical addresses, the entry point and
 * how the vCPU starts. It never writes guest memory; the caller copies each
 * segment (docs/images.md).
 */
#ifndef PLINTH_IMAGE_H
#define PLINTH_IMAGE_H

#include <plinth/types.h>
#include <plinth/unaligned.h>
#include <plinth/vcpu.h>

enum image_format {
	IMAGE_AUTO,
	IMAGE_BZIMAGE,   /* Linux boot protocol: the Linux-guest issue */
	IMAGE_MULTIBOOT, /* Multiboot 0.6.96 (a.out kludge or ELF) */
	IMAGE_ELF,       /* ELF32/ELF64 ET_EXEC, x86 */
	IMAGE_FLAT,      /* raw bytes at a fixed address */
};

#define IMAGE_MAX_SEGMENTS 16
#define IMAGE_FLAT_PROT32_GPA 0x100000u /* docs/guests.md */
#define IMAGE_FLAT_REAL_GPA 0x8000u
#define IMAGE_LOW_RESERVED 0x1000u      /* page 0 is never loaded into */
#define IMAGE_MB_SCAN 8192u             /* multiboot1 header: first 8 KiB */
#define IMAGE_MB_BOOT_EAX 0x2BADB002u   /* EAX of a multiboot1 kernel */
#define IMAGE_MB_INFO_MAX 4096u         /* room planned for the boot information */
#define IMAGE_VGA_HOLE 0xA0000u         /* 640 KiB .. 1 MiB: reserved in the map */
#define IMAGE_VGA_HOLE_END 0x100000u

/* file bytes [file_offset, +file_size) to [gpa, +file_size); [gpa+file_size, gpa+mem_size) zeroed */
struct image_segment {
	uint64_t gpa;
	uint64_t file_offset;
	uint64_t file_size;
	uint64_t mem_size; /* >= file_size */
};

struct image_plan {
	enum image_format format; /* what was detected/used (never IMAGE_AUTO) */
	struct image_segment seg[IMAGE_MAX_SEGMENTS];
	size_t segments;
	uint64_t entry;           /* guest-physical entry point */
	enum vcpu_start_mode start_mode;
	uint32_t start_eax;       /* GUEST_START_MAGIC, or IMAGE_MB_BOOT_EAX */
	bool multiboot;           /* EBX = info_gpa (else EBX = RAM KiB) */
	uint64_t info_gpa;        /* multiboot: page-aligned, free, < 640 KiB */
	size_t info_max;          /* multiboot: bytes reserved at info_gpa */
	uint32_t mb_flags;        /* multiboot: the header's flags */
	/*
	 * Linux boot protocol, 32-bit entry (format bzimage): seg[0] is the
	 * protected-mode kernel, entry its first byte. The vCPU starts in
	 * PROT32 with ESI = zero_page_gpa and EAX = EBX = EBP = EDI = 0.
	 */
	bool linux_boot;
	uint64_t zero_page_gpa;   /* struct boot_params, 4 KiB: image_build_linux_params() */
	uint64_t cmdline_gpa;     /* the command line, NUL-terminated, cmdline_max + 1 bytes at most */
	uint32_t cmdline_max;     /* longest command line: the kernel's cmdline_size */
	uint64_t initrd_gpa;      /* image_plan_initrd(): page-aligned, 0 without an initrd */
	uint64_t initrd_size;
	uint32_t initrd_addr_max; /* the header's: highest address an initrd byte may have */
	uint32_t linux_version;   /* boot protocol version, e.g. 0x020F */
	uint64_t kernel_size;     /* protected-mode kernel bytes in the file */
	uint64_t kernel_mem;      /* bytes reserved from entry: max(init_size, kernel_size) */
};

/* "auto" | "bzimage" | "multiboot" | "elf" | "flat": 0 or -E_INVAL. */
int image_format_parse(const char *name, enum image_format *out);
const char *image_format_name(enum image_format f);

/*
 * Plan loading `image` (size bytes) into a guest with `ram` bytes of RAM at
 * GPA 0. flat_mode is the requested start mode; it only matters for flat
 * images (ELF and multiboot kernels always start in PROT32). `name` prefixes
 * every error message, which is logged with log_error. Returns 0, -E_INVAL (a
 * malformed image), -E_RANGE (does not fit the guest) or -E_NOTSUP.
 */
int image_plan(const char *name, const void *image, size_t size,
	       enum image_format fmt, uint64_t ram,
	       enum vcpu_start_mode flat_mode, struct image_plan *out);

/*
 * Multiboot1 boot information for plan p (p->multiboot): writes into buf the
 * bytes to copy to *info_gpa (= p->info_gpa), *info_len of them (at most
 * p->info_max): the info structure, an E820-style memory map, the command
 * line and the loader name; every pointer inside is a GPA. cmdline may be
 * NULL. 0, -E_INVAL (not a multiboot plan) or -E_NOSPC (buf or room short).
 */
int image_build_multiboot_info(const struct image_plan *p, uint64_t ram,
			       const char *cmdline, uint8_t *buf,
			       size_t buf_size, uint64_t *info_gpa,
			       size_t *info_len);

/*
 * Linux guests (p->linux_boot): place an initrd of initrd_size bytes (0: none)
 * at the highest page-aligned GPA that ends at or below min(initrd_addr_max +
 * 1, ram), is not below 1 MiB and does not overlap the kernel; sets
 * p->initrd_gpa/initrd_size (the caller copies the bytes there). 0, -E_INVAL
 * (not a Linux plan) or -E_RANGE (does not fit).
 */
int image_plan_initrd(const char *name, struct image_plan *p, uint64_t ram,
		      uint64_t initrd_size);

/*
 * Linux guests: the 4096-byte zero page (struct boot_params) to copy to
 * p->zero_page_gpa: the image's setup header with type_of_loader 0xFF, the
 * command line and initrd addresses of the plan, an E820 map of `ram` bytes
 * (the multiboot one: [0, 640K) RAM, [640K, 1M) reserved, [1M, ram) RAM).
 * The caller copies cmdline (NULL: empty) with its NUL to p->cmdline_gpa.
 * 0, -E_INVAL (not a Linux plan for this image) or -E_RANGE (the command line
 * is longer than p->cmdline_max).
 */
int image_build_linux_params(const char *name, const struct image_plan *p,
			     const void *image, size_t image_size, uint64_t ram,
			     const char *cmdline, uint8_t *zero_page);

/* ---- Internal to core/image*.c (declared here for the unit tests) ------- */

/* ELF PT_LOAD segments into out->seg/segments/entry; out->multiboot set first applies its rules. */
int image_plan_elf(const char *name, const uint8_t *img, size_t size,
		   uint64_t ram, struct image_plan *out);
/* Linux bzImage (boot protocol 2.06+, LOADED_HIGH): the setup header checks and placement. */
int image_plan_bzimage(const char *name, const uint8_t *img, size_t size,
		       uint64_t ram, struct image_plan *out);
/* Multiboot1 header at hdr_off (already found and checksummed). */
int image_plan_multiboot(const char *name, const uint8_t *img, size_t size,
			 size_t hdr_off, uint64_t ram, struct image_plan *out);
/* Offset of a multiboot1 magic in the first 8 KiB (4-aligned), or -E_NOENT. */
/*
 * Offset of the multiboot1 header in the first 8 KiB, or -E_NOENT. With
 * valid_checksum_only (format auto), a magic whose checksum does not hold is
 * taken for data, as GRUB does; an explicit multiboot format reports it.
 */
long image_find_multiboot(const uint8_t *img, size_t size, bool valid_checksum_only);
/* Every segment inside the file and RAM, not in page 0, no two overlapping. */
int image_check_segments(const char *name, const struct image_plan *p,
			 size_t size, uint64_t ram);
/* Add a segment (mem_size 0 is skipped): 0 or -E_NOTSUP when full. */
int image_add_segment(const char *name, struct image_plan *p, uint64_t gpa,
		      uint64_t off, uint64_t filesz, uint64_t memsz);

#endif
