# test_string.c #includes core/string.c itself, renamed to k_* (see there), so
# it is not linked in under the C library's names; rebuild when it changes.
UNIT_SRCS_string := core/errno.c
$(BUILD)/unit/test_string: core/string.c
