# SHA-256 and the console's salted password hashes (core/sha256.c, core/password.c).
UNIT_SRCS_sha256 := core/sha256.c core/password.c
