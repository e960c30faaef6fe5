"""The live suite's machinery: the outputs reader, the read-only guard, the emulator and the rehearsal."""
