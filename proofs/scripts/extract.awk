# Print the named definitions of a kernel C file, verbatim, in file order.
#   awk -v names="f1 f2 MACRO arr" -v block=CONFIG_X -f extract.awk file.c
# A name matches a function or array definition "static ... name(" /
# "static ... name[]" up to the closing "}" or "};" in column 0, or a
# "#define name" with its continuation lines.  block=SYM also prints the
# lines between "#ifdef SYM" and "#endif /* SYM */" (exclusive), but for
# an "#else" part.
BEGIN {
	n = split(names, a, " ")
	for (i = 1; i <= n; i++) want[a[i]] = 1
}
function emit_until_close() {
	print
	while ((getline line) > 0) {
		print line
		if (line ~ /^}/) break
	}
	print ""
}
block != "" && !blockdone && $0 == "#ifdef " block { inblock = 1; print "/* --- " FILENAME ": " block " block --- */"; next }
inblock && $0 == "#endif /* " block " */" { inblock = 0; elsepart = 0; blockdone = 1; print ""; next }
inblock && $0 == "#else" { elsepart = 1; next }	# the stubs for !block
inblock && elsepart { next }
inblock { print; next }
/^#define[ \t]/ {
	nm = $2; sub(/\(.*/, "", nm)
	if (nm in want) {
		found[nm] = 1
		print
		while ($0 ~ /\\$/ && (getline) > 0) print
		next
	}
}
/^(static|u32|u8|int)[ \t]/ {
	line = $0
	if (match(line, /[A-Za-z_0-9]+(\(|\[\])/)) {
		nm = substr(line, RSTART, RLENGTH); sub(/(\(|\[\])$/, "", nm)
		if (nm in want) { found[nm] = 1; emit_until_close(); next }
	}
}
END {
	for (k in want) if (!(k in found)) { print "extract.awk: " k " not found in " FILENAME > "/dev/stderr"; bad = 1 }
	if (bad) exit 1
}
