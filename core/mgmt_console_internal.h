/* Shared by the management console's files (core/mgmt_console*.c): not an API. */
#ifndef PLINTH_CORE_MGMT_CONSOLE_INTERNAL_H
#define PLINTH_CORE_MGMT_CONSOLE_INTERNAL_H

#include <plinth/console_cmd.h>
#include <plinth/guest.h>

/* The commands (core/mgmt_console_cmds.c). */
extern const struct console_cmd mgmt_commands[];
extern const size_t mgmt_command_count;

/* What commands may ask of the console's state machine (core/mgmt_console.c). */
void mgmt_console_attach(struct guest *g, struct cmd_out *out);
void mgmt_console_login(struct cmd_out *out);
void mgmt_console_logout(struct cmd_out *out);
void mgmt_console_top(void);
/* Print the top table once (also each second while top runs). */
void mgmt_console_print_top(struct cmd_out *out);

/* A guest named by a command's argument, or NULL after printing an error. */
struct guest *mgmt_console_guest_arg(const struct cmd_call *call, struct cmd_out *out);

/* Actions (core/mgmt_console_actions.c). */
int mgmt_cmd_start(const struct console_cmd *c, const struct cmd_call *call,
		  struct cmd_out *out, void *ctx);
int mgmt_cmd_stop(const struct console_cmd *c, const struct cmd_call *call,
		 struct cmd_out *out, void *ctx);
int mgmt_cmd_restart(const struct console_cmd *c, const struct cmd_call *call,
		    struct cmd_out *out, void *ctx);
int mgmt_cmd_pause(const struct console_cmd *c, const struct cmd_call *call,
		  struct cmd_out *out, void *ctx);
int mgmt_cmd_resume(const struct console_cmd *c, const struct cmd_call *call,
		   struct cmd_out *out, void *ctx);
int mgmt_cmd_sched(const struct console_cmd *c, const struct cmd_call *call,
		  struct cmd_out *out, void *ctx);

#endif
