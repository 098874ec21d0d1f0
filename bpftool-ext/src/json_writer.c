// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Streaming JSON writer.  It tracks nesting to place commas and, in
 * pretty mode, indentation; strings are escaped per RFC 8259.
 */
#include <stdlib.h>

#include "json_writer.h"

#define JSONW_MAX_DEPTH 64

struct json_writer {
	FILE *out;
	unsigned int depth;
	bool pretty;
	bool first[JSONW_MAX_DEPTH];	/* no element yet at this level */
	bool after_name;
};

json_writer_t *jsonw_new(FILE *f)
{
	json_writer_t *self = calloc(1, sizeof(*self));

	if (!self)
		return NULL;
	self->out = f;
	self->first[0] = true;
	return self;
}

void jsonw_destroy(json_writer_t **self)
{
	if (!*self)
		return;
	if ((*self)->depth == 0 && !(*self)->first[0])
		fputc('\n', (*self)->out);
	fflush((*self)->out);
	free(*self);
	*self = NULL;
}

void jsonw_pretty(json_writer_t *self, bool on)
{
	self->pretty = on;
}

static void indent(json_writer_t *self)
{
	unsigned int i;

	if (!self->pretty)
		return;
	fputc('\n', self->out);
	for (i = 0; i < self->depth; i++)
		fputs("    ", self->out);
}

/* Called before every value and every name. */
static void sep(json_writer_t *self)
{
	if (self->after_name) {
		self->after_name = false;
		return;
	}
	if (!self->first[self->depth])
		fputc(',', self->out);
	if (self->depth)
		indent(self);
	self->first[self->depth] = false;
}

static void open_level(json_writer_t *self, char c)
{
	sep(self);
	fputc(c, self->out);
	if (self->depth + 1 < JSONW_MAX_DEPTH)
		self->depth++;
	self->first[self->depth] = true;
}

static void close_level(json_writer_t *self, char c)
{
	bool empty = self->first[self->depth];

	if (self->depth)
		self->depth--;
	if (!empty)
		indent(self);
	fputc(c, self->out);
}

void jsonw_start_object(json_writer_t *self)
{
	open_level(self, '{');
}

void jsonw_end_object(json_writer_t *self)
{
	close_level(self, '}');
}

void jsonw_start_array(json_writer_t *self)
{
	open_level(self, '[');
}

void jsonw_end_array(json_writer_t *self)
{
	close_level(self, ']');
}

static void put_string(json_writer_t *self, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', self->out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", self->out);
			break;
		case '\\':
			fputs("\\\\", self->out);
			break;
		case '\n':
			fputs("\\n", self->out);
			break;
		case '\t':
			fputs("\\t", self->out);
			break;
		case '\r':
			fputs("\\r", self->out);
			break;
		default:
			if (*p < 0x20)
				fprintf(self->out, "\\u%04x", *p);
			else
				fputc(*p, self->out);
		}
	}
	fputc('"', self->out);
}

void jsonw_name(json_writer_t *self, const char *name)
{
	sep(self);
	put_string(self, name);
	fputc(':', self->out);
	if (self->pretty)
		fputc(' ', self->out);
	self->after_name = true;
}

void jsonw_string(json_writer_t *self, const char *value)
{
	sep(self);
	put_string(self, value);
}

void jsonw_bool(json_writer_t *self, bool value)
{
	sep(self);
	fputs(value ? "true" : "false", self->out);
}

void jsonw_null(json_writer_t *self)
{
	sep(self);
	fputs("null", self->out);
}

void jsonw_uint(json_writer_t *self, uint64_t value)
{
	sep(self);
	fprintf(self->out, "%llu", (unsigned long long)value);
}

void jsonw_int(json_writer_t *self, int64_t value)
{
	sep(self);
	fprintf(self->out, "%lld", (long long)value);
}

void jsonw_float(json_writer_t *self, double value)
{
	sep(self);
	fprintf(self->out, "%.6g", value);
}

void jsonw_string_field(json_writer_t *self, const char *name, const char *v)
{
	jsonw_name(self, name);
	jsonw_string(self, v);
}

void jsonw_bool_field(json_writer_t *self, const char *name, bool v)
{
	jsonw_name(self, name);
	jsonw_bool(self, v);
}

void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t v)
{
	jsonw_name(self, name);
	jsonw_uint(self, v);
}

void jsonw_int_field(json_writer_t *self, const char *name, int64_t v)
{
	jsonw_name(self, name);
	jsonw_int(self, v);
}

void jsonw_float_field(json_writer_t *self, const char *name, double v)
{
	jsonw_name(self, name);
	jsonw_float(self, v);
}
