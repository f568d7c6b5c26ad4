# Civil dates and seconds since 1970 (core/civil_time.c).
UNIT_SRCS_civil_time := core/civil_time.c
