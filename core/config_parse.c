/*
 * Configuration parser: the line structure of the TOML subset (key = value
 * lines, [table] and [[array-of-tables]] headers, comments) and the error
 * messages. Values come from config_lexer.c, keys are checked by
 * config_schema.c.
 */
#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/string.h>
#include "config_internal.h"

static void vreport(struct cfg *c, const char *file, unsigned line, unsigned col,
		    const char *key, size_t keylen, const char *fmt, va_list ap)
{
	unsigned i = c->nerrors++;
	if (i >= CFG_MAX_ERRORS)
		return;
	char *e = c->errors[i];
	int r;
	if (key)
		r = fmt_snprintf(e, CFG_ERR_LEN, "%s:%u:%u: %.*s: ", file, line, col,
				 (int)MIN(keylen, 64), key);
	else
		r = fmt_snprintf(e, CFG_ERR_LEN, "%s:%u:%u: ", file, line, col);
	size_t n = r < 0 ? 0 : MIN((size_t)r, CFG_ERR_LEN - 1);
	fmt_vsnprintf(e + n, CFG_ERR_LEN - n, fmt, ap);
}

void cfg_report(struct cfg *c, const char *file, unsigned line, unsigned col,
		const char *key, size_t keylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(c, file, line, col, key, keylen, fmt, ap);
	va_end(ap);
}

int cfg_syntax_at(struct cfg_lexer *lx, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(lx->c, lx->file, line, col, NULL, 0, fmt, ap);
	va_end(ap);
	lx->c->syntax_error = true;
	return -E_INVAL;
}

int cfg_syntax(struct cfg_lexer *lx, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(lx->c, lx->file, lx->line, col, NULL, 0, fmt, ap);
	va_end(ap);
	lx->c->syntax_error = true;
	return -E_INVAL;
}

/* A bare key at pos; dotted and quoted keys are refused. */
static int bare_key(struct cfg_lexer *lx, const char **key, size_t *len)
{
	int ch = cfg_at(lx, 0);
	if (ch == '"' || ch == '\'')
		return cfg_syntax(lx, cfg_col(lx), "quoted keys are not supported "
				  "(use a bare key such as vcpus)");
	if (!cfg_is_bare(ch))
		return cfg_syntax(lx, cfg_col(lx), "expected a key");
	*key = lx->buf + lx->pos;
	*len = 0;
	while (cfg_is_bare(cfg_at(lx, 0))) {
		lx->pos++;
		(*len)++;
	}
	cfg_lex_ws(lx);
	if (cfg_at(lx, 0) == '.')
		return cfg_syntax(lx, cfg_col(lx), "dotted keys are not supported "
				  "(use [hypervisor] or [[guest]] and plain keys)");
	return 0;
}

static bool is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(key, name, len);
}

static void end_table(struct cfg *c, struct cfg_state *st, const char *file)
{
	if (st->table == CFG_T_GUEST)
		cfg_schema_guest_end(c, st, file);
	else if (st->table == CFG_T_HV)
		cfg_schema_hv_end(c, st, file);
	st->table = CFG_T_NONE;
}

static int header(struct cfg_lexer *lx, struct cfg_state *st)
{
	unsigned line = lx->line;
	bool aot = cfg_at(lx, 1) == '[';
	const char *key;
	size_t len;

	lx->pos += aot ? 2 : 1;
	cfg_lex_ws(lx);
	unsigned kcol = cfg_col(lx);
	if (bare_key(lx, &key, &len))
		return -E_INVAL;
	if (cfg_at(lx, 0) != ']' || (aot && cfg_at(lx, 1) != ']'))
		return cfg_syntax(lx, cfg_col(lx), "expected '%s' to end the header",
				  aot ? "]]" : "]");
	lx->pos += aot ? 2 : 1;
	if (cfg_lex_eol(lx))
		return -E_INVAL;

	struct cfg *c = lx->c;
	end_table(c, st, lx->file);
	st->table = CFG_T_SKIP;
	if (is(key, len, "hypervisor")) {
		if (aot)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "use [hypervisor], not [[hypervisor]]");
		else if (st->hv_line)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "duplicate table (first at line %u)", st->hv_line);
		else {
			st->hv_line = line;
			c->has_hypervisor = true;
			st->table = CFG_T_HV;
		}
	} else if (is(key, len, "console")) {
		if (aot)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "use [console], not [[console]]");
		else if (st->console_line)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "duplicate table (first at line %u)", st->console_line);
		else {
			st->console_line = line;
			c->has_console = true;
			st->table = CFG_T_CONSOLE;
		}
	} else if (is(key, len, "guest")) {
		if (!aot)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "use [[guest]] for each guest, not [guest]");
		else if (c->nguests >= CFG_MAX_GUESTS)
			cfg_report(c, lx->file, line, kcol, key, len,
				   "too many guests (at most %u)", CFG_MAX_GUESTS);
		else {
			cfg_schema_guest_begin(c, st, line);
			st->table = CFG_T_GUEST;
		}
	} else {
		cfg_report(c, lx->file, line, kcol, key, len,
			   "unknown table (use [hypervisor], [console] or [[guest]])");
	}
	return 0;
}

static int key_value(struct cfg_lexer *lx, struct cfg_state *st, struct cfg_value *v)
{
	unsigned line = lx->line, col = cfg_col(lx);
	const char *key;
	size_t len;

	if (bare_key(lx, &key, &len))
		return -E_INVAL;
	if (cfg_at(lx, 0) != '=')
		return cfg_syntax(lx, cfg_col(lx), "expected '=' after the key");
	lx->pos++;
	cfg_lex_ws(lx);
	if (cfg_lex_value(lx, v) || cfg_lex_eol(lx))
		return -E_INVAL;
	switch (st->table) {
	case CFG_T_NONE:
		cfg_report(lx->c, lx->file, line, col, key, len,
			   "keys must be inside [hypervisor], [console] or [[guest]]");
		break;
	case CFG_T_SKIP:
		break;
	case CFG_T_HV:
	case CFG_T_GUEST:
	case CFG_T_CONSOLE:
		cfg_schema_key(lx->c, st, lx->file, key, len, line, col, v);
		break;
	}
	return 0;
}

static int parse_lines(struct cfg_lexer *lx, struct cfg_state *st, struct cfg_value *v)
{
	while (lx->pos < lx->len) {
		cfg_lex_ws(lx);
		int ch = cfg_at(lx, 0);
		int err;
		if (ch == '[')
			err = header(lx, st);
		else if (ch < 0 || ch == '#' || ch == '\n' || ch == '\r')
			err = cfg_lex_eol(lx);
		else if (ch == '=')
			err = cfg_syntax(lx, cfg_col(lx), "expected a key before '='");
		else
			err = key_value(lx, st, v);
		if (err)
			return err;
	}
	end_table(lx->c, st, lx->file);
	return 0;
}

int cfg_parse(struct cfg *c, const char *file, const char *buf, size_t len)
{
	static struct cfg_lexer lx;   /* large (array scratch): not on the stack */
	static struct cfg_value v;
	static struct cfg_state st;

	memset(c, 0, sizeof(*c));
	memset(&lx, 0, sizeof(lx));
	memset(&st, 0, sizeof(st));
	cfg_schema_init(c);
	lx.c = c;
	lx.file = file;
	lx.buf = buf;
	lx.len = buf ? len : 0;
	lx.line = 1;
	if (parse_lines(&lx, &st, &v)) {
		c->syntax_error = true;
		c->nguests = 0;
		c->has_hypervisor = false;
		c->has_console = false;
		cfg_schema_init(c);
	}
	return c->nerrors ? -E_INVAL : 0;
}
