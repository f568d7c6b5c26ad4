/*
 * The management console's command line (docs/console.md): a line is split
 * into words; the first names the command, `--json` asks for JSON output,
 * `key=value` words are settings and the others are arguments. The
 * dispatcher checks them against the command's table entry (argument count,
 * known keys, --json, the role that may run it) and answers a bad line with
 * one "error: ..." line, so the command functions only see valid calls.
 * Host-testable: output goes through a struct cmd_out.
 */
#ifndef PLINTH_CONSOLE_CMD_H
#define PLINTH_CONSOLE_CMD_H

#include <plinth/types.h>

enum console_role {
	CONSOLE_OBSERVER, /* watch: list, top, info, log, attach read-only */
	CONSOLE_ADMIN,    /* everything */
};

#define CMD_MAX_WORDS 8
#define CMD_LINE_MAX 128

struct cmd_kv {
	const char *key;
	const char *value;
};

struct cmd_call {
	const char *name;
	unsigned nargs;
	const char *args[CMD_MAX_WORDS];
	unsigned nkv;
	struct cmd_kv kv[CMD_MAX_WORDS];
	bool json;
};

/* Where a command writes its answer (the serial console, or a test buffer). */
struct cmd_out {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
};

void cmd_write(struct cmd_out *o, const char *s, size_t n);
void cmd_printf(struct cmd_out *o, const char *fmt, ...) __printf(2, 3);
/* s as a JSON string, quoted, with ", \ and control bytes escaped. */
void cmd_json_str(struct cmd_out *o, const char *s);

struct console_cmd;
typedef int (*cmd_fn)(const struct console_cmd *cmd, const struct cmd_call *call,
		      struct cmd_out *out, void *ctx);

struct console_cmd {
	const char *name;
	const char *usage;          /* after the name, e.g. "NAME [--json]" */
	const char *help;           /* one line */
	enum console_role role;     /* the least role that may run it */
	unsigned min_args, max_args;
	const char *const *keys;    /* key=value keys it takes (NULL-terminated), or NULL */
	bool json;                  /* takes --json */
	cmd_fn run;
};

/* Split line (changed in place) into call: 0, or -E_INVAL with *why set. */
int cmd_parse(char *line, struct cmd_call *call, const char **why);

/*
 * Run one line typed at the prompt with the commands cmds[0..n) as `role`.
 * "help" and "help COMMAND" are built in. An empty line does nothing.
 * Returns the command's result, 0 for an empty line or help, or -E_INVAL
 * (bad line), -E_NOENT (unknown command), -E_BUSY (role too low) after
 * printing one "error: ..." line.
 */
int cmd_dispatch(const struct console_cmd *cmds, size_t n, char *line, enum console_role role,
		 struct cmd_out *out, void *ctx);

/* The value of key=value in call, or NULL. */
const char *cmd_kv_get(const struct cmd_call *call, const char *key);
/*
 * An unsigned key=value in [min, max]: 0 (set *value), -E_NOENT (absent,
 * *value unchanged) or -E_INVAL after printing an error naming the key.
 */
int cmd_kv_uint(const struct cmd_call *call, const char *key, unsigned min, unsigned max,
		unsigned *value, struct cmd_out *out);

#endif
