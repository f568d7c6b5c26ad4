# Guest page-table walker (core/guest_walk.c).
UNIT_SRCS_guest_walk := core/guest_walk.c
