/*
 * Configuration schema: the keys of [hypervisor] and [[guest]], their types,
 * ranges and defaults (docs/config.md). A guest with any error is skipped;
 * the others are kept.
 */
#include <plinth/cmdline.h>
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/password.h>
#include <plinth/string.h>
#include <plinth/console_spec.h>
#include "config_internal.h"

const char *const cfg_guest_key_names[CFG_G_NKEYS] = {
	[CFG_G_NAME] = "name", [CFG_G_KERNEL] = "kernel", [CFG_G_INITRD] = "initrd",
	[CFG_G_CMDLINE] = "cmdline", [CFG_G_MEMORY] = "memory",
	[CFG_G_VCPUS] = "vcpus", [CFG_G_WEIGHT] = "weight", [CFG_G_CAP] = "cap",
	[CFG_G_CPUS] = "cpus", [CFG_G_FORMAT] = "format",
	[CFG_G_AUTOSTART] = "autostart", [CFG_G_ON_CRASH] = "on_crash",
	[CFG_G_SERIAL] = "serial", [CFG_G_MODE] = "mode",
};

const char *const cfg_hv_key_names[CFG_H_NKEYS] = {
	[CFG_H_CONSOLE] = "console", [CFG_H_LOG_LEVEL] = "log_level",
	[CFG_H_SCHEDULER] = "scheduler", [CFG_H_SCHED_SLICE_MS] = "sched_slice_ms",
	[CFG_H_SCHED_TICK_MS] = "sched_tick_ms",
	[CFG_H_SCHED_RATELIMIT_US] = "sched_ratelimit_us", [CFG_H_RESERVE] = "reserve",
	[CFG_H_CONSOLE_ESCAPE] = "console_escape", [CFG_H_CONSOLE_BUFFER] = "console_buffer",
};

const char *const cfg_console_key_names[CFG_C_NKEYS] = {
	[CFG_C_ADMIN_PASSWORD_HASH] = "admin_password_hash",
	[CFG_C_LOCKOUT_SECONDS] = "lockout_seconds",
};

/* Allowed words of the enumerated keys, NULL-terminated, and their hint. */
static const char *const formats[] = { "auto", "bzimage", "multiboot", "elf", "flat", NULL };
static const char *const on_crash[] = { "restart", "destroy", "preserve", NULL };
static const char *const serials[] = { "console", "com1", "com2", "com3", "com4", "none", NULL };
static const char *const modes[] = { "prot32", "real", NULL };
static const char *const log_levels[] = { "error", "warn", "info", "debug", NULL };
static const char *const schedulers[] = { "credit", NULL };

void cfg_schema_init(struct cfg *c)
{
	memset(&c->hv, 0, sizeof(c->hv));
	cfg_copy(c->hv.console, "com1", sizeof(c->hv.console));
	cfg_copy(c->hv.log_level, "info", sizeof(c->hv.log_level));
	cfg_copy(c->hv.scheduler, "credit", sizeof(c->hv.scheduler));
	c->hv.sched_slice_ms = CFG_SCHED_SLICE_MS;
	c->hv.sched_tick_ms = CFG_SCHED_TICK_MS;
	c->hv.sched_ratelimit_us = CFG_SCHED_RATELIMIT_US;
	cfg_copy(c->hv.reserve_str, "16M", sizeof(c->hv.reserve_str));
	c->hv.reserve_bytes = MiB(16);
	cfg_copy(c->hv.console_escape, "^]", sizeof(c->hv.console_escape));
	c->hv.console_escape_byte = CFG_CONSOLE_ESCAPE;
	cfg_copy(c->hv.console_buffer_str, "16K", sizeof(c->hv.console_buffer_str));
	c->hv.console_buffer_bytes = CFG_CONSOLE_BUFFER;
	memset(&c->console, 0, sizeof(c->console));
	c->console.lockout_seconds = CFG_LOCKOUT_SECONDS;
}

void cfg_schema_guest_begin(struct cfg *c, struct cfg_state *st, unsigned line)
{
	struct cfg_guest *g = &c->guests[c->nguests];

	memset(g, 0, sizeof(*g));
	g->line = line;
	g->memory_bytes = MiB(16);
	g->vcpus = 1;
	g->weight = 256;
	cfg_copy(g->format, "auto", sizeof(g->format));
	g->autostart = true;
	cfg_copy(g->on_crash, "destroy", sizeof(g->on_crash));
	cfg_copy(g->serial, "console", sizeof(g->serial));
	cfg_copy(g->mode, "prot32", sizeof(g->mode));
	st->g = g;
	st->bad = false;
	memset(st->key_line, 0, sizeof(st->key_line));
	memset(st->key_col, 0, sizeof(st->key_col));
}

/* Context of one key = value for the checks below. */
struct kv {
	struct cfg *c;
	struct cfg_state *st;
	const char *file;
	const char *key;
	size_t keylen;
	const struct cfg_value *v;
};

#define ERR_AT(kv, line, col, ...) \
	cfg_report((kv)->c, (kv)->file, line, col, (kv)->key, (kv)->keylen, __VA_ARGS__)
#define ERR(kv, ...) ERR_AT(kv, (kv)->v->v.line, (kv)->v->v.col, __VA_ARGS__)

static bool want(const struct kv *kv, enum cfg_vtype type)
{
	const struct cfg_value *v = kv->v;

	if (v->v.type != type) {
		ERR(kv, "expected %s %s, not %s %s",
		    type == CFG_V_INT || type == CFG_V_ARRAY ? "an" : "a",
		    cfg_type_name(type),
		    v->v.type == CFG_V_INT || v->v.type == CFG_V_ARRAY ? "an" : "a",
		    cfg_type_name(v->v.type));
		return false;
	}
	if (type == CFG_V_STRING && v->v.too_long) {
		ERR(kv, "string is too long (at most %u bytes)", CFG_STR_MAX - 1);
		return false;
	}
	return true;
}

static bool get_str(const struct kv *kv, char *dst, size_t size)
{
	if (!want(kv, CFG_V_STRING))
		return false;
	if (kv->v->v.slen >= size) {
		ERR(kv, "string is too long (at most %zu bytes)", size - 1);
		return false;
	}
	cfg_copy(dst, kv->v->v.s, size);
	return true;
}

static bool get_int(const struct kv *kv, int64_t min, int64_t max, unsigned *out)
{
	if (!want(kv, CFG_V_INT))
		return false;
	int64_t i = kv->v->v.i;
	if (i < min || i > max) {
		ERR(kv, "%lld is out of range (%lld-%lld)", (long long)i,
		    (long long)min, (long long)max);
		return false;
	}
	*out = (unsigned)i;
	return true;
}

static bool get_enum(const struct kv *kv, const char *const *words, char *dst, size_t size)
{
	char q[64], hint[96];
	size_t n = 0;

	if (!want(kv, CFG_V_STRING))
		return false;
	for (const char *const *w = words; *w; w++) {
		if (!strcmp(kv->v->v.s, *w) && strlen(*w) == kv->v->v.slen) {
			cfg_copy(dst, *w, size);
			return true;
		}
	}
	for (const char *const *w = words; *w; w++) {
		const char *sep = w == words ? "" : w[1] ? ", " : " or ";
		n += cfg_copy(hint + n, sep, sizeof(hint) - n);
		n += cfg_copy(hint + n, *w, sizeof(hint) - n);
	}
	cfg_quote(q, sizeof(q), kv->v->v.s, kv->v->v.slen);
	ERR(kv, "%s is not valid (use %s)", q, hint);
	return false;
}

static bool get_bool(const struct kv *kv, bool *out)
{
	if (!want(kv, CFG_V_BOOL))
		return false;
	*out = kv->v->v.b;
	return true;
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len >= CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!cfg_is_bare(ch) && ch != '.')
			return false;
	}
	return true;
}

/* A size key (guest memory, hypervisor reserve) and where its value goes. */
struct size_key {
	uint64_t min, max;          /* bytes; both multiples of 1 MiB */
	const char *range;          /* "1M-64G" */
	const char *example;        /* "512M" */
	bool *is_int;               /* as written: an integer (MiB) ... */
	int64_t *i;
	char *str;                  /* ... or a string, of CFG_STR_MAX bytes */
	uint64_t *bytes;
};

/*
 * A size as a string with an optional K/M/G suffix ("512M") or an integer in
 * MiB: in [min, max] and a multiple of 4K. Sets the outputs only when valid.
 */
static bool get_size(const struct kv *kv, const struct size_key *sk)
{
	const struct cfg_scalar *s = &kv->v->v;
	char q[64];
	uint64_t bytes;

	if (s->type == CFG_V_INT) {
		if (s->i < (int64_t)(sk->min >> 20) || (uint64_t)s->i > sk->max >> 20) {
			ERR(kv, "%lld is out of range (%llu-%llu MiB)", (long long)s->i,
			    (unsigned long long)(sk->min >> 20),
			    (unsigned long long)(sk->max >> 20));
			return false;
		}
		*sk->is_int = true;
		*sk->i = s->i;
		*sk->bytes = MiB((uint64_t)s->i);
		return true;
	}
	if (s->type != CFG_V_STRING) {
		ERR(kv, "expected a string (e.g. \"%s\") or an integer (MiB), not %s %s",
		    sk->example, s->type == CFG_V_ARRAY ? "an" : "a", cfg_type_name(s->type));
		return false;
	}
	if (!want(kv, CFG_V_STRING))
		return false;
	cfg_quote(q, sizeof(q), s->s, s->slen);
	if (strlen(s->s) != s->slen || parse_size(s->s, &bytes) == -E_INVAL) {
		ERR(kv, "%s is not a size (use e.g. %s)", q, sk->example);
		return false;
	}
	if (parse_size(s->s, &bytes) || bytes < sk->min || bytes > sk->max) {
		ERR(kv, "%s is out of range (%s)", q, sk->range);
		return false;
	}
	if (!IS_ALIGNED(bytes, KiB(4))) {
		ERR(kv, "%s is not a multiple of 4K", q);
		return false;
	}
	*sk->is_int = false;
	cfg_copy(sk->str, s->s, CFG_STR_MAX);
	*sk->bytes = bytes;
	return true;
}

static bool guest_memory(const struct kv *kv, struct cfg_guest *g)
{
	const struct size_key sk = {
		CFG_MEMORY_MIN, CFG_MEMORY_MAX, "1M-64G", "512M",
		&g->memory_is_int, &g->memory_int, g->memory_str, &g->memory_bytes,
	};
	return get_size(kv, &sk);
}

static bool hv_reserve(const struct kv *kv, struct cfg_hypervisor *hv)
{
	const struct size_key sk = {
		0, CFG_RESERVE_MAX, "0-64G", "64M",
		&hv->reserve_is_int, &hv->reserve_int, hv->reserve_str, &hv->reserve_bytes,
	};
	return get_size(kv, &sk);
}

static bool hv_console_buffer(const struct kv *kv, struct cfg_hypervisor *hv)
{
	const struct size_key sk = {
		0, CFG_CONSOLE_BUFFER_MAX, "0-1M", "16K",
		&hv->console_buffer_is_int, &hv->console_buffer_int, hv->console_buffer_str,
		&hv->console_buffer_bytes,
	};
	return get_size(kv, &sk);
}

/*
 * "^X": Ctrl and a key from A-Z or one of @ [ \ ] ^ _ (lower case too).
 * Keys a terminal needs for itself are refused: ^@ (NUL), ^H and ^? kinds,
 * ^I (tab), ^J and ^M (line ends), ^[ (escape sequences: arrow keys).
 */
static bool hv_console_escape(const struct kv *kv, struct cfg_hypervisor *hv)
{
	const struct cfg_scalar *s = &kv->v->v;
	char q[64];

	if (!want(kv, CFG_V_STRING))
		return false;
	cfg_quote(q, sizeof(q), s->s, s->slen);
	if (s->slen != 2 || s->s[0] != '^' || s->s[1] < '@' || s->s[1] > 'z' ||
	    (s->s[1] > '_' && s->s[1] < 'a')) {
		ERR(kv, "%s is not a control key (use e.g. \"^]\" for Ctrl-])", q);
		return false;
	}
	uint8_t byte = (uint8_t)((s->s[1] >= 'a' ? s->s[1] - 0x20 : s->s[1]) - 0x40);
	if (byte == 0 || byte == 0x08 || byte == 0x09 || byte == 0x0A || byte == 0x0D ||
	    byte == 0x1B) {
		ERR(kv, "%s is needed by terminals (NUL, backspace, tab, line ends, escape)", q);
		return false;
	}
	cfg_copy(hv->console_escape, s->s, sizeof(hv->console_escape));
	hv->console_escape_byte = byte;
	return true;
}

static bool console_key(const struct kv *kv, struct cfg_console *con, unsigned k)
{
	const char *why = "";

	switch ((enum cfg_console_key)k) {
	case CFG_C_ADMIN_PASSWORD_HASH:
		if (!want(kv, CFG_V_STRING))
			return false;
		if (kv->v->v.slen >= sizeof(con->admin_password_hash) ||
		    strlen(kv->v->v.s) != kv->v->v.slen ||
		    password_hash_check(kv->v->v.s, &why)) {
			ERR(kv, "not a password hash: %s (make one with `plinth-cfg passwd`)",
			    why[0] ? why : "too long");
			return false;
		}
		cfg_copy(con->admin_password_hash, kv->v->v.s, sizeof(con->admin_password_hash));
		return true;
	case CFG_C_LOCKOUT_SECONDS:
		return get_int(kv, 1, 86400, &con->lockout_seconds);
	case CFG_C_NKEYS:
		break;
	}
	return false;
}

static bool guest_cpus(const struct kv *kv, struct cfg_guest *g)
{
	const struct cfg_value *v = kv->v;

	if (!want(kv, CFG_V_ARRAY))
		return false;
	if (v->elem != CFG_V_NONE && v->elem != CFG_V_INT) {
		ERR(kv, "expected an array of integers, not of %ss", cfg_type_name(v->elem));
		return false;
	}
	if (v->arr_too_long) {
		ERR(kv, "too many CPUs (at most %u)", CFG_ARRAY_MAX);
		return false;
	}
	for (unsigned i = 0; i < v->n; i++) {
		if (v->arr[i] < 0 || v->arr[i] >= CFG_MAX_PCPUS) {
			ERR_AT(kv, v->arr_line[i], v->arr_col[i],
			       "CPU %lld is out of range (0-%u)", (long long)v->arr[i],
			       CFG_MAX_PCPUS - 1);
			return false;
		}
		for (unsigned j = 0; j < i; j++) {
			if (v->arr[j] == v->arr[i]) {
				ERR_AT(kv, v->arr_line[i], v->arr_col[i],
				       "CPU %lld is listed twice", (long long)v->arr[i]);
				return false;
			}
		}
		g->cpus[i] = (unsigned)v->arr[i];
	}
	g->ncpus = v->n;
	return true;
}

static bool guest_key(const struct kv *kv, struct cfg_guest *g, unsigned k)
{
	char q[64];

	switch ((enum cfg_guest_key)k) {
	case CFG_G_NAME:
		if (!want(kv, CFG_V_STRING))
			return false;
		if (!valid_name(kv->v->v.s, kv->v->v.slen)) {
			cfg_quote(q, sizeof(q), kv->v->v.s, kv->v->v.slen);
			ERR(kv, "%s is not a valid name (use 1-%u letters, digits, "
			    "'-', '_' or '.')", q, CFG_NAME_MAX - 1);
			return false;
		}
		kv->st->name_line = kv->v->v.line;
		kv->st->name_col = kv->v->v.col;
		return get_str(kv, g->name, sizeof(g->name));
	case CFG_G_KERNEL:
		if (!get_str(kv, g->kernel, sizeof(g->kernel)))
			return false;
		if (!g->kernel[0]) {
			ERR(kv, "must not be empty (use e.g. \"/guests/vmlinuz\")");
			return false;
		}
		return true;
	case CFG_G_INITRD:
		return get_str(kv, g->initrd, sizeof(g->initrd));
	case CFG_G_CMDLINE:
		return get_str(kv, g->cmdline, sizeof(g->cmdline));
	case CFG_G_MEMORY:
		return guest_memory(kv, g);
	case CFG_G_VCPUS:
		return get_int(kv, 1, CFG_MAX_VCPUS, &g->vcpus);
	case CFG_G_WEIGHT:
		return get_int(kv, 1, 65535, &g->weight);
	case CFG_G_CAP:
		return get_int(kv, 0, 100 * CFG_MAX_VCPUS, &g->cap);
	case CFG_G_CPUS:
		return guest_cpus(kv, g);
	case CFG_G_FORMAT:
		return get_enum(kv, formats, g->format, sizeof(g->format));
	case CFG_G_AUTOSTART:
		return get_bool(kv, &g->autostart);
	case CFG_G_ON_CRASH:
		return get_enum(kv, on_crash, g->on_crash, sizeof(g->on_crash));
	case CFG_G_SERIAL:
		return get_enum(kv, serials, g->serial, sizeof(g->serial));
	case CFG_G_MODE:
		return get_enum(kv, modes, g->mode, sizeof(g->mode));
	case CFG_G_NKEYS:
		break;
	}
	return false;
}

static bool hv_key(const struct kv *kv, struct cfg_hypervisor *hv, unsigned k)
{
	char q[64], tmp[CFG_STR_MAX];
	struct console_spec cs;
	const char *why = NULL;

	switch ((enum cfg_hv_key)k) {
	case CFG_H_CONSOLE:
		if (!get_str(kv, tmp, sizeof(tmp)))
			return false;
		if (strlen(tmp) != kv->v->v.slen || console_spec_parse(tmp, &cs, &why)) {
			cfg_quote(q, sizeof(q), kv->v->v.s, kv->v->v.slen);
			ERR(kv, "%s: %s", q, why ? why : "contains a NUL byte");
			return false;
		}
		cfg_copy(hv->console, tmp, sizeof(hv->console));
		return true;
	case CFG_H_LOG_LEVEL:
		return get_enum(kv, log_levels, hv->log_level, sizeof(hv->log_level));
	case CFG_H_SCHEDULER:
		return get_enum(kv, schedulers, hv->scheduler, sizeof(hv->scheduler));
	case CFG_H_SCHED_SLICE_MS:
		return get_int(kv, 1, 1000, &hv->sched_slice_ms);
	case CFG_H_SCHED_TICK_MS:
		return get_int(kv, 1, 1000, &hv->sched_tick_ms);
	case CFG_H_SCHED_RATELIMIT_US:
		return get_int(kv, 0, 100000, &hv->sched_ratelimit_us);
	case CFG_H_RESERVE:
		return hv_reserve(kv, hv);
	case CFG_H_CONSOLE_ESCAPE:
		return hv_console_escape(kv, hv);
	case CFG_H_CONSOLE_BUFFER:
		return hv_console_buffer(kv, hv);
	case CFG_H_NKEYS:
		break;
	}
	return false;
}

static int lookup(const char *const *names, unsigned n, const char *key, size_t len)
{
	for (unsigned i = 0; i < n; i++) {
		if (strlen(names[i]) == len && !memcmp(names[i], key, len))
			return (int)i;
	}
	return -1;
}

void cfg_schema_key(struct cfg *c, struct cfg_state *st, const char *file,
		    const char *key, size_t keylen, unsigned line, unsigned col,
		    const struct cfg_value *v)
{
	struct kv kv = { c, st, file, key, keylen, v };
	bool guest = st->table == CFG_T_GUEST, con = st->table == CFG_T_CONSOLE;
	const char *const *names = guest ? cfg_guest_key_names :
				   con ? cfg_console_key_names : cfg_hv_key_names;
	unsigned n = guest ? CFG_G_NKEYS : con ? CFG_C_NKEYS : CFG_H_NKEYS;
	unsigned *lines = guest ? st->key_line : con ? st->console_key_line : st->hv_key_line;
	int k = lookup(names, n, key, keylen);

	if (k < 0) {
		char known[256];
		size_t o = 0;
		for (unsigned i = 0; i < n; i++) {
			o += cfg_copy(known + o, i ? ", " : "", sizeof(known) - o);
			o += cfg_copy(known + o, names[i], sizeof(known) - o);
		}
		ERR_AT(&kv, line, col, "unknown key in %s (known: %s)",
		       guest ? "[[guest]]" : con ? "[console]" : "[hypervisor]", known);
		if (guest)
			st->bad = true;
		return;
	}
	if (lines[k]) {
		ERR_AT(&kv, line, col, "duplicate key (first set at line %u)", lines[k]);
		if (guest)
			st->bad = true;
		return;
	}
	lines[k] = line;
	if (guest) {
		st->key_col[k] = col;
		if (!guest_key(&kv, st->g, (unsigned)k))
			st->bad = true;
		else
			st->g->present |= 1u << k;
	} else if (con) {
		if (console_key(&kv, &c->console, (unsigned)k))
			c->console.present |= 1u << k;
	} else {
		st->hv_val_line[k] = v->v.line;
		st->hv_val_col[k] = v->v.col;
		if (hv_key(&kv, &c->hv, (unsigned)k))
			c->hv.present |= 1u << k;
	}
}

/*
 * The rules between [hypervisor] keys, checked when the table ends since keys
 * come in any order. A key that breaks one is reported at its value and falls
 * back to its default, like any other [hypervisor] error; the default tick is
 * then shortened to the slice if need be, so the result is always consistent.
 */
void cfg_schema_hv_end(struct cfg *c, struct cfg_state *st, const char *file)
{
	struct cfg_hypervisor *hv = &c->hv;
	const char *key;

	if ((hv->present & (1u << CFG_H_SCHED_TICK_MS)) && hv->sched_tick_ms > hv->sched_slice_ms) {
		key = cfg_hv_key_names[CFG_H_SCHED_TICK_MS];
		cfg_report(c, file, st->hv_val_line[CFG_H_SCHED_TICK_MS],
			   st->hv_val_col[CFG_H_SCHED_TICK_MS], key, strlen(key),
			   "%u is more than sched_slice_ms (%u)", hv->sched_tick_ms,
			   hv->sched_slice_ms);
		hv->present &= ~(1u << CFG_H_SCHED_TICK_MS);
		hv->sched_tick_ms = CFG_SCHED_TICK_MS;
	}
	if (!(hv->present & (1u << CFG_H_SCHED_TICK_MS)))
		hv->sched_tick_ms = MIN((unsigned)CFG_SCHED_TICK_MS, hv->sched_slice_ms);
	if ((hv->present & (1u << CFG_H_SCHED_RATELIMIT_US)) &&
	    hv->sched_ratelimit_us > hv->sched_slice_ms * 1000u) {
		key = cfg_hv_key_names[CFG_H_SCHED_RATELIMIT_US];
		cfg_report(c, file, st->hv_val_line[CFG_H_SCHED_RATELIMIT_US],
			   st->hv_val_col[CFG_H_SCHED_RATELIMIT_US], key, strlen(key),
			   "%u is more than sched_slice_ms (%u ms = %u us)",
			   hv->sched_ratelimit_us, hv->sched_slice_ms,
			   hv->sched_slice_ms * 1000u);
		hv->present &= ~(1u << CFG_H_SCHED_RATELIMIT_US);
		hv->sched_ratelimit_us = CFG_SCHED_RATELIMIT_US; /* <= any slice */
	}
}

void cfg_schema_guest_end(struct cfg *c, struct cfg_state *st, const char *file)
{
	struct cfg_guest *g = st->g;
	static const enum cfg_guest_key required[] = { CFG_G_NAME, CFG_G_KERNEL };

	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		const char *key = cfg_guest_key_names[required[i]];
		if (!st->key_line[required[i]]) {
			cfg_report(c, file, g->line, 1, key, strlen(key),
				   "required key is missing in this [[guest]]");
			st->bad = true;
		}
	}
	if ((g->present & (1u << CFG_G_MODE)) && (g->present & (1u << CFG_G_FORMAT)) &&
	    strcmp(g->format, "flat") && strcmp(g->format, "auto")) {
		cfg_report(c, file, st->key_line[CFG_G_MODE], st->key_col[CFG_G_MODE],
			   "mode", 4, "only applies to format = \"flat\" (not \"%s\")",
			   g->format);
		st->bad = true;
	}
	if (g->present & (1u << CFG_G_NAME)) {
		for (unsigned i = 0; i < c->nguests; i++) {
			if (!strcmp(c->guests[i].name, g->name)) {
				cfg_report(c, file, st->name_line, st->name_col, "name", 4,
					   "guest \"%s\" is already defined at line %u",
					   g->name, c->guests[i].line);
				st->bad = true;
				break;
			}
		}
	}
	if (!st->bad)
		c->nguests++;
	st->g = NULL;
}
