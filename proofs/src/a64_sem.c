#include <stdio.h>
#include "model.h"
int a64_exec(const uint32_t *code, int n, struct mstate *s) { snprintf(model_err, sizeof(model_err), "arm64: todo"); return -1; }
