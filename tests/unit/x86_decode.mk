# x86 instruction decoder (core/x86_decode.c), checked against Zydis
# (libzydis-dev, host tests only: never linked into the kernel).
UNIT_SRCS_x86_decode := core/x86_decode.c core/x86_decode_names.c
UNIT_LIBS_x86_decode := -lZydis -lZycore
