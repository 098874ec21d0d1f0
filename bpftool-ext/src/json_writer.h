/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A small streaming JSON writer, used for every -j/--json output. */
#ifndef BPFEXT_JSON_WRITER_H
#define BPFEXT_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

json_writer_t *jsonw_new(FILE *f);
void jsonw_destroy(json_writer_t **self);
void jsonw_pretty(json_writer_t *self, bool on);

void jsonw_start_object(json_writer_t *self);
void jsonw_end_object(json_writer_t *self);
void jsonw_start_array(json_writer_t *self);
void jsonw_end_array(json_writer_t *self);
void jsonw_name(json_writer_t *self, const char *name);

void jsonw_string(json_writer_t *self, const char *value);
void jsonw_bool(json_writer_t *self, bool value);
void jsonw_null(json_writer_t *self);
void jsonw_uint(json_writer_t *self, uint64_t value);
void jsonw_int(json_writer_t *self, int64_t value);
void jsonw_float(json_writer_t *self, double value);

void jsonw_string_field(json_writer_t *self, const char *name, const char *v);
void jsonw_bool_field(json_writer_t *self, const char *name, bool v);
void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t v);
void jsonw_int_field(json_writer_t *self, const char *name, int64_t v);
void jsonw_float_field(json_writer_t *self, const char *name, double v);

#endif
