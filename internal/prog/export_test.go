package prog

// KallsymsReads counts the reads of /proc/kallsyms, for the test that a
// command reads it once at most.
func KallsymsReads() int { return kallsymsReads }
