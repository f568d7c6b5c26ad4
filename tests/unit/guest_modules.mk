UNIT_SRCS_guest_modules := core/guest_modules.c core/cmdline.c
