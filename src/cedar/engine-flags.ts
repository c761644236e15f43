/**
 * The V8 flag a short run of the Cedar engine wants, set by the CLI for itself (src/cli/main.ts) and given to
 * the bench's child processes so that they measure the engine as the CLI runs it.
 *
 * V8 tiers hot WebAssembly functions up to its optimizing compiler after a small budget; for a CLI run that
 * compile costs more than it saves. A larger budget keeps short runs on the baseline compiler and still optimizes
 * long ones (measured: cold validate of the quickstart 0.85 → 0.32 s CPU; validating 10,000 rules no slower).
 */
export const ENGINE_V8_FLAGS = "--wasm-tiering-budget=100000000";
