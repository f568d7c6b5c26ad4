# The wall clock from the host RTC (core/wall_clock.c); the test fakes the
# port reader (cmos_rtc_read) and the monotonic clock (time_now_ns).
UNIT_SRCS_wall_clock := core/wall_clock.c drivers/cmos_rtc_decode.c core/civil_time.c core/errno.c
