/*
 * Internals of the configuration parser (core/config_*.c), shared by the
 * lexer (values), the parser (lines and tables) and the schema (keys).
 */
#ifndef PLINTH_CONFIG_INTERNAL_H
#define PLINTH_CONFIG_INTERNAL_H

#include <stdarg.h>
#include <plinth/config.h>

enum cfg_vtype { CFG_V_NONE, CFG_V_STRING, CFG_V_INT, CFG_V_BOOL, CFG_V_ARRAY };

struct cfg_scalar {
	enum cfg_vtype type;
	unsigned line, col;
	bool too_long;              /* string longer than CFG_STR_MAX - 1 */
	int64_t i;
	bool b;
	size_t slen;
	char s[CFG_STR_MAX];
};

struct cfg_value {
	struct cfg_scalar v;        /* the value, or the array's position */
	enum cfg_vtype elem;        /* arrays: element type, NONE when empty */
	unsigned n;                 /* arrays: elements (stored up to CFG_ARRAY_MAX) */
	bool arr_too_long;
	int64_t arr[CFG_ARRAY_MAX]; /* integer elements */
	unsigned arr_line[CFG_ARRAY_MAX], arr_col[CFG_ARRAY_MAX];
};

struct cfg_lexer {
	struct cfg *c;
	const char *file;
	const char *buf;
	size_t len, pos;
	size_t line_start;
	unsigned line;
	struct cfg_scalar tmp;      /* scratch for array elements */
};

/* Byte at pos + k, or -1 past the end. */
static inline int cfg_at(const struct cfg_lexer *lx, size_t k)
{
	return lx->pos + k < lx->len && lx->pos + k >= lx->pos ?
		(unsigned char)lx->buf[lx->pos + k] : -1;
}

static inline unsigned cfg_col(const struct cfg_lexer *lx)
{
	return (unsigned)(lx->pos - lx->line_start + 1);
}

static inline bool cfg_is_bare(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* Like str_copy (core/string.c), which host builds do not have. */
static inline size_t cfg_copy(char *dst, const char *src, size_t size)
{
	size_t len = 0;
	while (src[len])
		len++;
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
		dst[n] = '\0';
	}
	return len;
}

/* config_parse.c: record a message "file:line:col: [key: ]text". */
void cfg_report(struct cfg *c, const char *file, unsigned line, unsigned col,
		const char *key, size_t keylen, const char *fmt, ...) __printf(7, 8);
/* A syntax error at (line, col) of the lexer: the file is given up. */
int cfg_syntax(struct cfg_lexer *lx, unsigned col, const char *fmt, ...) __printf(3, 4);
int cfg_syntax_at(struct cfg_lexer *lx, unsigned line, unsigned col, const char *fmt, ...)
	__printf(4, 5);

/* config_lexer.c */
void cfg_lex_ws(struct cfg_lexer *lx);
/* Skip blanks and a comment, then a line end (or EOF): 0 or syntax error. */
int cfg_lex_eol(struct cfg_lexer *lx);
/* A value after "key = ": 0 or a syntax error (already reported). */
int cfg_lex_value(struct cfg_lexer *lx, struct cfg_value *v);
/* "string", "integer", ... for messages. */
const char *cfg_type_name(unsigned type);
/* Copy s into dst quoted and escaped for a message, shortened if long. */
void cfg_quote(char *dst, size_t size, const char *s, size_t len);

/* config_schema.c */
enum cfg_table { CFG_T_NONE, CFG_T_HV, CFG_T_GUEST, CFG_T_CONSOLE, CFG_T_SKIP };

struct cfg_state {
	enum cfg_table table;
	unsigned hv_line;                  /* 0 = no [hypervisor] yet */
	unsigned console_line;             /* 0 = no [console] yet */
	unsigned console_key_line[CFG_C_NKEYS];
	struct cfg_guest *g;               /* guest being read (a free slot) */
	bool bad;                          /* it had an error: skip it */
	unsigned key_line[CFG_G_NKEYS], key_col[CFG_G_NKEYS];
	unsigned hv_key_line[CFG_H_NKEYS];
	unsigned hv_val_line[CFG_H_NKEYS], hv_val_col[CFG_H_NKEYS]; /* of the value */
	unsigned name_line, name_col;      /* of the name value */
};

void cfg_schema_init(struct cfg *c);
void cfg_schema_guest_begin(struct cfg *c, struct cfg_state *st, unsigned line);
void cfg_schema_guest_end(struct cfg *c, struct cfg_state *st, const char *file);
/* End of [hypervisor]: the rules between its keys (tick <= slice, ...). */
void cfg_schema_hv_end(struct cfg *c, struct cfg_state *st, const char *file);
void cfg_schema_key(struct cfg *c, struct cfg_state *st, const char *file,
		    const char *key, size_t keylen, unsigned line, unsigned col,
		    const struct cfg_value *v);

#endif
