/*
 * The configuration file (docs/config.md): a strict TOML subset with
 * [hypervisor] and [[guest]] tables. The same parser is linked into the
 * kernel and into the host tool tools/plinth-cfg.
 *
 * Input is length-delimited (not NUL-terminated) and is never read outside
 * [buf, buf + len). Everything lives in a caller-provided struct cfg of fixed
 * size: no allocation. Limits are below; exceeding one is an error.
 */
#ifndef PLINTH_CONFIG_H
#define PLINTH_CONFIG_H

#include <plinth/types.h>

#define CFG_MAX_GUESTS 16    /* [[guest]] tables (GUEST_MAX) */
#define CFG_STR_MAX 256      /* string values, including the NUL */
#define CFG_NAME_MAX 32      /* guest names, including the NUL (GUEST_NAME_MAX) */
#define CFG_MAX_VCPUS 4      /* GUEST_MAX_VCPUS */
#define CFG_MAX_PCPUS 256    /* cpus = [...] entries are 0..CFG_MAX_PCPUS-1 */
#define CFG_ARRAY_MAX 64     /* elements in one array */
#define CFG_MAX_ERRORS 32    /* messages kept; later ones are only counted */
#define CFG_ERR_LEN 256      /* one message, including the NUL */
#define CFG_MEMORY_MIN MiB(1)
#define CFG_MEMORY_MAX GiB(64)
#define CFG_RESERVE_MAX GiB(64)     /* [hypervisor] reserve: 0..this */
#define CFG_SCHED_SLICE_MS 30       /* defaults of the [hypervisor] sched_* keys */
#define CFG_SCHED_TICK_MS 10
#define CFG_SCHED_RATELIMIT_US 1000
#define CFG_CONSOLE_BUFFER_MAX MiB(1) /* [hypervisor] console_buffer: 0..this */
#define CFG_CONSOLE_BUFFER KiB(16)
#define CFG_CONSOLE_ESCAPE 0x1D      /* Ctrl-] */
#define CFG_LOCKOUT_SECONDS 60
#define CFG_HASH_MAX 144             /* PASSWORD_HASH_STR_MAX (include/plinth/password.h) */

/* Bits of cfg_guest.present / cfg_hypervisor.present: keys the file set. */
enum cfg_guest_key {
	CFG_G_NAME, CFG_G_KERNEL, CFG_G_INITRD, CFG_G_CMDLINE, CFG_G_MEMORY,
	CFG_G_VCPUS, CFG_G_WEIGHT, CFG_G_CAP, CFG_G_CPUS, CFG_G_FORMAT,
	CFG_G_AUTOSTART, CFG_G_ON_CRASH, CFG_G_SERIAL, CFG_G_MODE,
	CFG_G_NKEYS
};
enum cfg_hv_key {
	CFG_H_CONSOLE, CFG_H_LOG_LEVEL, CFG_H_SCHEDULER,
	CFG_H_SCHED_SLICE_MS, CFG_H_SCHED_TICK_MS, CFG_H_SCHED_RATELIMIT_US,
	CFG_H_RESERVE, CFG_H_CONSOLE_ESCAPE, CFG_H_CONSOLE_BUFFER,
	CFG_H_NKEYS
};
enum cfg_console_key {
	CFG_C_ADMIN_PASSWORD_HASH, CFG_C_LOCKOUT_SECONDS,
	CFG_C_NKEYS
};

struct cfg_hypervisor {
	uint32_t present;
	char console[CFG_STR_MAX];   /* default "com1" */
	char log_level[16];          /* error | warn | info | debug; default info */
	char scheduler[16];          /* credit; default credit */
	/*
	 * Credit scheduler (docs/scheduler.md). Always consistent, also after
	 * errors: 1 <= tick <= slice, ratelimit <= slice * 1000. Defaults 30,
	 * 10 (or the slice if shorter), 1000.
	 */
	unsigned sched_slice_ms;     /* 1-1000: time slice and accounting period */
	unsigned sched_tick_ms;      /* 1-slice: accounting tick */
	unsigned sched_ratelimit_us; /* 0-100000 and <= slice: minimum run; 0 = none */
	/* reserve as written: a string ("64M") or an integer (MiB) */
	bool reserve_is_int;
	int64_t reserve_int;
	char reserve_str[CFG_STR_MAX]; /* default "16M" */
	uint64_t reserve_bytes;      /* computed; memory never given to guests */
	char console_escape[4];      /* as written, "^]" */
	uint8_t console_escape_byte; /* computed: the control byte, default 0x1D */
	/* console_buffer as written, like reserve: a string ("16K") or an integer (MiB) */
	bool console_buffer_is_int;
	int64_t console_buffer_int;
	char console_buffer_str[CFG_STR_MAX]; /* default "16K" */
	uint64_t console_buffer_bytes; /* computed; per guest, kept while detached */
};

/* [console]: who may do what on the management console (docs/console.md). */
struct cfg_console {
	uint32_t present;
	char admin_password_hash[CFG_HASH_MAX]; /* "sha256$SALT$HASH"; "" = no admin login */
	unsigned lockout_seconds;    /* after three wrong passwords; default 60 */
};

struct cfg_guest {
	uint32_t present;
	unsigned line;                 /* of its [[guest]] header */
	char name[CFG_NAME_MAX];
	char kernel[CFG_STR_MAX];
	char initrd[CFG_STR_MAX];      /* "" = none */
	char cmdline[CFG_STR_MAX];
	/* memory as written: a string ("512M") or an integer (MiB) */
	bool memory_is_int;
	char memory_str[CFG_STR_MAX];
	int64_t memory_int;
	uint64_t memory_bytes;         /* computed; default 16 MiB */
	unsigned vcpus;                /* default 1 */
	unsigned weight;               /* default 256 */
	unsigned cap;                  /* default 0 = none */
	unsigned ncpus;                /* 0 = any pCPU */
	unsigned cpus[CFG_ARRAY_MAX];
	char format[16];               /* auto | bzimage | multiboot | elf | flat */
	bool autostart;                /* default true */
	char on_crash[16];             /* restart | destroy | preserve; default destroy */
	char serial[16];               /* console | com1..com4 | none; default console */
	char mode[8];                  /* prot32 | real (flat images); default prot32 */
};

struct cfg {
	bool has_hypervisor;           /* the file had a [hypervisor] table */
	bool syntax_error;             /* the file could not be parsed: no guests */
	struct cfg_hypervisor hv;
	bool has_console;              /* the file had a [console] table */
	struct cfg_console console;
	unsigned nguests;              /* valid guests, in file order */
	struct cfg_guest guests[CFG_MAX_GUESTS];
	unsigned nerrors;              /* all errors, also those not kept */
	char errors[CFG_MAX_ERRORS][CFG_ERR_LEN];
};

/*
 * Parse buf[0..len) into *c (which it clears first). `file` names the file in
 * messages ("plinth.toml:12:9: memory: ..."). Returns 0 when there were no
 * errors, -E_INVAL otherwise; guests with errors are skipped and the others
 * are still returned, a syntax error returns no guests.
 */
int cfg_parse(struct cfg *c, const char *file, const char *buf, size_t len);

/* Kept message i (i < MIN(nerrors, CFG_MAX_ERRORS)). */
static inline const char *cfg_error(const struct cfg *c, unsigned i)
{
	return c->errors[i];
}

/* Names of keys, for dumps and messages. */
extern const char *const cfg_guest_key_names[CFG_G_NKEYS];
extern const char *const cfg_hv_key_names[CFG_H_NKEYS];
extern const char *const cfg_console_key_names[CFG_C_NKEYS];

#endif
