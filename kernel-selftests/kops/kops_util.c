// SPDX-License-Identifier: GPL-2.0
/* State shared by the Kops selftests' helpers (kops_util.h). */
#include "kops_util.h"

int test_nr, failures;
int is_init;
int have_bmi1 = 1, have_movbe = 1;
int ignore_features;
char vlog[1 << 16];
