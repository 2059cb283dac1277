package io.troupe.node.runtime;

/** A command run inside a container: its exit code and what it wrote (stdout and stderr, truncated). */
public record ExecResult(int exitCode, String output, boolean timedOut) {}
