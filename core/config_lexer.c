/*
 * Configuration lexer: blanks, comments, line ends and values (strings,
 * integers, booleans, arrays) of the TOML subset in docs/config.md. Every
 * read goes through cfg_at(), which returns -1 past the end of the buffer.
 */
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/string.h>
#include "config_internal.h"

void cfg_lex_ws(struct cfg_lexer *lx)
{
	while (cfg_at(lx, 0) == ' ' || cfg_at(lx, 0) == '\t')
		lx->pos++;
}

static bool is_control(int ch)
{
	return (ch >= 0 && ch < 0x20 && ch != '\t') || ch == 0x7f;
}

/* Length of the valid UTF-8 sequence at pos (1 for ASCII), 0 if invalid. */
static size_t utf8_seq(const struct cfg_lexer *lx)
{
	int b0 = cfg_at(lx, 0);
	size_t n;
	uint32_t cp, min;

	if (b0 < 0x80)
		return 1;
	if ((b0 & 0xe0) == 0xc0) {
		n = 2; cp = (uint32_t)b0 & 0x1f; min = 0x80;
	} else if ((b0 & 0xf0) == 0xe0) {
		n = 3; cp = (uint32_t)b0 & 0x0f; min = 0x800;
	} else if ((b0 & 0xf8) == 0xf0) {
		n = 4; cp = (uint32_t)b0 & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (size_t k = 1; k < n; k++) {
		int b = cfg_at(lx, k);
		if (b < 0 || (b & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | ((uint32_t)b & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void newline(struct cfg_lexer *lx)
{
	lx->line++;
	lx->line_start = lx->pos;
}

/* Blanks, then an optional comment; stops at the line end. */
static int skip_comment(struct cfg_lexer *lx)
{
	cfg_lex_ws(lx);
	if (cfg_at(lx, 0) != '#')
		return 0;
	lx->pos++;
	for (;;) {
		int ch = cfg_at(lx, 0);
		if (ch < 0 || ch == '\n' || (ch == '\r' && cfg_at(lx, 1) == '\n'))
			return 0;
		if (is_control(ch))
			return cfg_syntax(lx, cfg_col(lx), "control character in a comment");
		size_t n = utf8_seq(lx);
		if (!n)
			return cfg_syntax(lx, cfg_col(lx), "invalid UTF-8");
		lx->pos += n;
	}
}

int cfg_lex_eol(struct cfg_lexer *lx)
{
	if (skip_comment(lx))
		return -E_INVAL;
	int ch = cfg_at(lx, 0);
	if (ch < 0)
		return 0;
	if (ch == '\r' && cfg_at(lx, 1) == '\n')
		lx->pos++;
	else if (ch != '\n')
		return cfg_syntax(lx, cfg_col(lx), "expected the end of the line");
	lx->pos++;
	newline(lx);
	return 0;
}

static void put(struct cfg_scalar *s, const char *p, size_t n)
{
	if (s->too_long || s->slen + n > CFG_STR_MAX - 1) {
		s->too_long = true;
		return;
	}
	memcpy(s->s + s->slen, p, n);
	s->slen += n;
	s->s[s->slen] = '\0';
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int escape(struct cfg_lexer *lx, struct cfg_scalar *s)
{
	unsigned col = cfg_col(lx);
	int ch = cfg_at(lx, 1);
	char out[4];

	switch (ch) {
	case '"': case '\\': out[0] = (char)ch; break;
	case 'n': out[0] = '\n'; break;
	case 't': out[0] = '\t'; break;
	case 'u': {
		uint32_t cp = 0;
		for (size_t k = 2; k < 6; k++) {
			int d = hexval(cfg_at(lx, k));
			if (d < 0)
				return cfg_syntax(lx, col, "\\u needs 4 hex digits");
			cp = cp << 4 | (uint32_t)d;
		}
		if (cp == 0)
			return cfg_syntax(lx, col, "\\u0000 is not allowed");
		if (cp >= 0xd800 && cp <= 0xdfff)
			return cfg_syntax(lx, col, "\\u%04X is not a character", (unsigned)cp);
		lx->pos += 6;
		if (cp < 0x80) {
			out[0] = (char)cp;
			put(s, out, 1);
		} else if (cp < 0x800) {
			out[0] = (char)(0xc0 | cp >> 6);
			out[1] = (char)(0x80 | (cp & 0x3f));
			put(s, out, 2);
		} else {
			out[0] = (char)(0xe0 | cp >> 12);
			out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[2] = (char)(0x80 | (cp & 0x3f));
			put(s, out, 3);
		}
		return 0;
	}
	default:
		if (ch > 0x20 && ch < 0x7f)
			return cfg_syntax(lx, col, "escape \\%c is not supported "
					  "(use \\\" \\\\ \\n \\t or \\uXXXX)", ch);
		return cfg_syntax(lx, col, "bad escape (use \\\" \\\\ \\n \\t or \\uXXXX)");
	}
	lx->pos += 2;
	put(s, out, 1);
	return 0;
}

static int string(struct cfg_lexer *lx, struct cfg_scalar *s)
{
	int quote = cfg_at(lx, 0);
	unsigned col = cfg_col(lx);

	if (cfg_at(lx, 1) == quote && cfg_at(lx, 2) == quote)
		return cfg_syntax(lx, col, "multi-line strings are not supported "
				  "(use \"...\" with \\n)");
	s->type = CFG_V_STRING;
	lx->pos++;
	for (;;) {
		int ch = cfg_at(lx, 0);
		if (ch < 0 || ch == '\n' || (ch == '\r' && cfg_at(lx, 1) == '\n'))
			return cfg_syntax(lx, col, "unterminated string (close it on the same line)");
		if (ch == quote) {
			lx->pos++;
			return 0;
		}
		if (ch == '\\' && quote == '"') {
			if (escape(lx, s))
				return -E_INVAL;
			continue;
		}
		if (is_control(ch))
			return cfg_syntax(lx, cfg_col(lx), "control character in a string%s",
					  quote == '"' ? " (use an escape such as \\n)" : "");
		size_t n = utf8_seq(lx);
		if (!n)
			return cfg_syntax(lx, cfg_col(lx), "invalid UTF-8");
		put(s, lx->buf + lx->pos, n);
		lx->pos += n;
	}
}

static bool is_numchar(int ch)
{
	return cfg_is_bare(ch) || ch == '+' || ch == '.' || ch == ':';
}

/* Digits of `base` with single underscores between them. */
static int digits(struct cfg_lexer *lx, const char *p, size_t n, unsigned base,
		  unsigned col, bool neg, int64_t *out)
{
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

	if (n == 0)
		return cfg_syntax(lx, col, "invalid number (use e.g. 42 or 0x2a)");
	for (size_t k = 0; k < n; k++) {
		if (p[k] == '_') {
			if (k == 0 || k + 1 == n || p[k + 1] == '_')
				return cfg_syntax(lx, col, "underscores must be between digits (use e.g. 1_000)");
			continue;
		}
		int d = hexval(p[k]);
		if (d < 0 || (unsigned)d >= base)
			return cfg_syntax(lx, col, "invalid number (use e.g. 42 or 0x2a)");
		if (v > (limit - (unsigned)d) / base)
			return cfg_syntax(lx, col, "integer is too large (at most 64 bits)");
		v = v * base + (unsigned)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int number(struct cfg_lexer *lx, struct cfg_scalar *s)
{
	const char *p = lx->buf + lx->pos;
	unsigned col = cfg_col(lx);
	size_t n = 0;
	bool neg = false, signed_ = false;

	while (is_numchar(cfg_at(lx, n)))
		n++;
	lx->pos += n;
	s->type = CFG_V_INT;
	if (n && (p[0] == '+' || p[0] == '-')) {
		neg = p[0] == '-';
		signed_ = true;
		p++;
		n--;
	}
	if ((n == 3 && (!memcmp(p, "inf", 3) || !memcmp(p, "nan", 3))))
		return cfg_syntax(lx, col, "floats are not supported (use an integer)");
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (p[1] == 'X')
			return cfg_syntax(lx, col, "invalid number (hexadecimal is 0x...)");
		if (signed_)
			return cfg_syntax(lx, col, "hexadecimal integers cannot have a sign");
		return digits(lx, p + 2, n - 2, 16, col, false, &s->i);
	}
	if (n >= 2 && p[0] == '0' && (p[1] == 'o' || p[1] == 'b'))
		return cfg_syntax(lx, col, "octal and binary integers are not supported "
				  "(use decimal or 0x hex)");
	for (size_t k = 0; k < n; k++) {
		if (p[k] == ':' || (p[k] == '-' && k > 0))
			return cfg_syntax(lx, col, "dates and times are not supported (use a string)");
	}
	for (size_t k = 0; k < n; k++) {
		if (p[k] == '.' || p[k] == 'e' || p[k] == 'E')
			return cfg_syntax(lx, col, "floats are not supported (use an integer)");
	}
	if (n >= 2 && p[0] == '0')
		return cfg_syntax(lx, col, "leading zeros are not allowed (use e.g. 8 or 0x08)");
	return digits(lx, p, n, 10, col, neg, &s->i);
}

static int scalar(struct cfg_lexer *lx, struct cfg_scalar *s)
{
	int ch = cfg_at(lx, 0);

	memset(s, 0, sizeof(*s));
	s->line = lx->line;
	s->col = cfg_col(lx);
	if (ch == '"' || ch == '\'')
		return string(lx, s);
	if (ch == '{')
		return cfg_syntax(lx, s->col, "inline tables are not supported "
				  "(use a [table] with one key per line)");
	if (ch == '[')
		return cfg_syntax(lx, s->col, "nested arrays are not supported (use one array of numbers)");
	if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-')
		return number(lx, s);
	size_t n = 0;
	while (is_numchar(cfg_at(lx, n)))
		n++;
	const char *p = lx->buf + lx->pos;
	if ((n == 4 && !memcmp(p, "true", 4)) || (n == 5 && !memcmp(p, "false", 5))) {
		s->type = CFG_V_BOOL;
		s->b = n == 4;
		lx->pos += n;
		return 0;
	}
	if (n == 3 && (!memcmp(p, "inf", 3) || !memcmp(p, "nan", 3)))
		return cfg_syntax(lx, s->col, "floats are not supported (use an integer)");
	if (n)
		return cfg_syntax(lx, s->col, "expected a value (strings need quotes)");
	return cfg_syntax(lx, s->col, "expected a value");
}

/* Blanks, comments and line ends inside an array. */
static int array_space(struct cfg_lexer *lx)
{
	for (;;) {
		if (skip_comment(lx))
			return -E_INVAL;
		int ch = cfg_at(lx, 0);
		if (ch == '\r' && cfg_at(lx, 1) == '\n')
			lx->pos++, ch = '\n';
		if (ch != '\n')
			return 0;
		lx->pos++;
		newline(lx);
	}
}

static const char *const type_names[] = {
	[CFG_V_NONE] = "nothing", [CFG_V_STRING] = "string",
	[CFG_V_INT] = "integer", [CFG_V_BOOL] = "boolean", [CFG_V_ARRAY] = "array",
};

static int array(struct cfg_lexer *lx, struct cfg_value *v)
{
	v->v.type = CFG_V_ARRAY;
	lx->pos++;
	for (;;) {
		if (array_space(lx))
			return -E_INVAL;
		if (cfg_at(lx, 0) == ']')
			break;
		if (cfg_at(lx, 0) < 0)
			return cfg_syntax_at(lx, v->v.line, v->v.col, "unterminated array");
		if (scalar(lx, &lx->tmp))
			return -E_INVAL;
		if (v->elem != CFG_V_NONE && v->elem != lx->tmp.type)
			return cfg_syntax(lx, lx->tmp.col, "arrays must hold one type "
					  "(%s after %s)", type_names[lx->tmp.type],
					  type_names[v->elem]);
		v->elem = lx->tmp.type;
		if (v->n < CFG_ARRAY_MAX) {
			v->arr[v->n] = lx->tmp.i;
			v->arr_line[v->n] = lx->tmp.line;
			v->arr_col[v->n] = lx->tmp.col;
			v->n++;
		} else {
			v->arr_too_long = true;
		}
		if (array_space(lx))
			return -E_INVAL;
		if (cfg_at(lx, 0) == ',') {
			lx->pos++;
			continue;
		}
		if (cfg_at(lx, 0) != ']') {
			if (cfg_at(lx, 0) < 0)
				return cfg_syntax_at(lx, v->v.line, v->v.col, "unterminated array");
			return cfg_syntax(lx, cfg_col(lx), "expected ',' or ']' in an array");
		}
		break;
	}
	lx->pos++;
	return 0;
}

int cfg_lex_value(struct cfg_lexer *lx, struct cfg_value *v)
{
	memset(v, 0, sizeof(*v));
	if (cfg_at(lx, 0) == '[') {
		v->v.line = lx->line;
		v->v.col = cfg_col(lx);
		return array(lx, v);
	}
	return scalar(lx, &v->v);
}

const char *cfg_type_name(unsigned type)
{
	return type < ARRAY_SIZE(type_names) ? type_names[type] : "?";
}

void cfg_quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0;
	const size_t max = 48;

#define OUT(ch) do { if (o + 1 < size) dst[o++] = (char)(ch); } while (0)
	OUT('"');
	for (size_t k = 0; k < len; k++) {
		unsigned char ch = (unsigned char)s[k];
		if ((k >= max || o + 12 > size) && (ch & 0xc0) != 0x80) {
			OUT('.'); OUT('.'); OUT('.');
			break;
		}
		if (ch == '"' || ch == '\\') {
			OUT('\\'); OUT(ch);
		} else if (ch == '\n') {
			OUT('\\'); OUT('n');
		} else if (ch == '\t') {
			OUT('\\'); OUT('t');
		} else if (ch < 0x20 || ch == 0x7f) {
			char hex[8];
			fmt_snprintf(hex, sizeof(hex), "\\u%04x", ch);
			for (size_t h = 0; hex[h]; h++)
				OUT(hex[h]);
		} else {
			OUT(ch);
		}
	}
	OUT('"');
#undef OUT
	if (size)
		dst[o < size ? o : size - 1] = '\0';
}
