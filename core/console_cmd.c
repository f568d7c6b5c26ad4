/* Console command lines: parsing, and the checks before a command runs (console_cmd.h). */
#include <plinth/cmdline.h>
#include <plinth/console_cmd.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/string.h>

void cmd_write(struct cmd_out *o, const char *s, size_t n)
{
	o->write(o->ctx, s, n);
}

void cmd_printf(struct cmd_out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1; /* callers keep lines short; cut rather than fail */
	cmd_write(o, buf, (size_t)n);
}

void cmd_json_str(struct cmd_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	cmd_write(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			cmd_write(o, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			cmd_write(o, e, 6);
		} else {
			cmd_write(o, (const char *)&c, 1);
		}
	}
	cmd_write(o, "\"", 1);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

int cmd_parse(char *line, struct cmd_call *call, const char **why)
{
	char *p = line;

	memset(call, 0, sizeof(*call));
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		char *word = p;
		while (*p && !is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
		for (char *c = word; *c; c++) {
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
				*why = "only printable ASCII is understood";
				return -E_INVAL;
			}
		}
		if (!call->name) {
			call->name = word;
			continue;
		}
		if (word[0] == '-' && word[1] == '-') {
			if (strcmp(word, "--json") != 0) {
				*why = "unknown option (the only option is --json)";
				return -E_INVAL;
			}
			call->json = true;
			continue;
		}
		char *eq = strchr(word, '=');
		if (call->nargs + call->nkv == CMD_MAX_WORDS) {
			*why = "too many words";
			return -E_INVAL;
		}
		if (eq) {
			if (eq == word || !eq[1]) {
				*why = "key=value needs both a key and a value";
				return -E_INVAL;
			}
			*eq = '\0';
			call->kv[call->nkv].key = word;
			call->kv[call->nkv++].value = eq + 1;
		} else {
			call->args[call->nargs++] = word;
		}
	}
	return 0;
}

const char *cmd_kv_get(const struct cmd_call *call, const char *key)
{
	for (unsigned i = 0; i < call->nkv; i++)
		if (strcmp(call->kv[i].key, key) == 0)
			return call->kv[i].value;
	return NULL;
}

int cmd_kv_uint(const struct cmd_call *call, const char *key, unsigned min, unsigned max,
		unsigned *value, struct cmd_out *out)
{
	const char *s = cmd_kv_get(call, key);
	uint64_t v;

	if (!s)
		return -E_NOENT;
	if (parse_u64(s, &v) || v < min || v > max) {
		cmd_printf(out, "error: %s: %s=%s is not a number in %u-%u\n", call->name, key, s,
			   min, max);
		return -E_INVAL;
	}
	*value = (unsigned)v;
	return 0;
}

static const struct console_cmd *find(const struct console_cmd *cmds, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void usage_line(const struct console_cmd *c, struct cmd_out *out)
{
	cmd_printf(out, "%s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
}

static int help(const struct console_cmd *cmds, size_t n, const struct cmd_call *call,
		enum console_role role, struct cmd_out *out)
{
	if (call->nargs > 1 || call->nkv || call->json) {
		cmd_printf(out, "error: help: too many arguments (usage: help [COMMAND])\n");
		return -E_INVAL;
	}
	if (call->nargs == 1) {
		const struct console_cmd *c = find(cmds, n, call->args[0]);
		if (!c) {
			cmd_printf(out, "error: help: no command '%s' (help lists them)\n", call->args[0]);
			return -E_NOENT;
		}
		cmd_printf(out, "usage: ");
		usage_line(c, out);
		cmd_printf(out, "\n  %s%s\n", c->help,
			   c->role == CONSOLE_ADMIN ? " (admin)" : "");
		return 0;
	}
	cmd_printf(out, "commands (help COMMAND for one)%s:\n",
		   role == CONSOLE_ADMIN ? "" : "; (admin) ones need `login`");
	for (size_t i = 0; i < n; i++) {
		cmd_printf(out, "  %-8s %s%s\n", cmds[i].name, cmds[i].help,
			   cmds[i].role == CONSOLE_ADMIN ? " (admin)" : "");
	}
	return 0;
}

/* Check the call against the command's entry: 0 or -E_INVAL after one error line. */
static int check_call(const struct console_cmd *c, const struct cmd_call *call,
		      struct cmd_out *out)
{
	const char *problem = NULL, *word = "";

	if (call->json && !c->json) {
		problem = "does not take --json";
	} else if (call->nargs < c->min_args) {
		problem = "missing argument";
	} else if (call->nargs > c->max_args) {
		problem = "unexpected argument ";
		word = call->args[c->max_args];
	} else {
		for (unsigned i = 0; i < call->nkv && !problem; i++) {
			bool known = false;
			for (const char *const *k = c->keys; k && *k && !known; k++)
				known = strcmp(*k, call->kv[i].key) == 0;
			for (unsigned j = 0; j < i && known; j++)
				if (strcmp(call->kv[j].key, call->kv[i].key) == 0)
					problem = "key given twice: ", word = call->kv[i].key;
			if (!known)
				problem = "unknown key ", word = call->kv[i].key;
		}
	}
	if (!problem)
		return 0;
	cmd_printf(out, "error: %s: %s%s (usage: ", c->name, problem, word);
	usage_line(c, out);
	cmd_printf(out, ")\n");
	return -E_INVAL;
}

int cmd_dispatch(const struct console_cmd *cmds, size_t n, char *line, enum console_role role,
		 struct cmd_out *out, void *ctx)
{
	struct cmd_call call;
	const char *why = "";

	if (cmd_parse(line, &call, &why)) {
		cmd_printf(out, "error: %s\n", why);
		return -E_INVAL;
	}
	if (!call.name)
		return 0;
	if (strcmp(call.name, "help") == 0)
		return help(cmds, n, &call, role, out);
	const struct console_cmd *c = find(cmds, n, call.name);
	if (!c) {
		cmd_printf(out, "error: unknown command '%s' (help lists the commands)\n", call.name);
		return -E_NOENT;
	}
	if (c->role > role) {
		cmd_printf(out, "error: %s: needs the admin role (login first)\n", c->name);
		return -E_BUSY;
	}
	if (check_call(c, &call, out))
		return -E_INVAL;
	return c->run(c, &call, out, ctx);
}
