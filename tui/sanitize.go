package tui

import "neo/engine/textsafe"

// Sanitize strips everything from s that could drive a terminal instead of
// being shown (escape sequences whole, C0 and C1 controls, DEL, bidi
// controls, invalid UTF-8); tabs and newlines become spaces so that one field
// stays on one line. Every string that comes from outside (database, feed,
// files) passes here before it is drawn. It is textsafe.Line, neo's one
// sanitiser, kept under this name for the views.
func Sanitize(s string) string { return textsafe.Line(s) }
