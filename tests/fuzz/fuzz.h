/*
 * fuzz.h - what every harness in tests/fuzz/ defines: libFuzzer's entry
 * point.  The same harness links either with libFuzzer (clang,
 * -fsanitize=fuzzer: `make fuzz`) or with replay.c (any compiler: the
 * regression inputs in tests/data/fuzz-regress/ run in every `make test`).
 */
#ifndef NW_FUZZ_H
#define NW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; returns 0 (libFuzzer's convention).  A bug shows as a
 * crash or a sanitizer report, never as a return value. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
