/**
 * Room for the Cedar engine, reserved up front. Each time the engine's WebAssembly memory grows, V8 runs a full
 * garbage collection of the JavaScript heap; a large call (the 77,000 rules of a 200,000-object desired state)
 * grows the memory a hundred times in small steps, and with the desired state in the heap each collection walks
 * hundreds of MB: preparsing 38,723 rules took 30 s of which 26 were collections, and 4.5 s with the memory
 * reserved first. Reserving is one allocation and one free inside the engine (its allocator keeps the freed
 * block for later calls); the pages are only committed as the engine uses them.
 *
 * The engine's module does not export its allocator, so this module, imported by engine.ts before the engine,
 * notes the engine instance's exports as the engine loads (and puts `WebAssembly.Instance` back at once). If
 * that ever fails, reserving does nothing: only slower.
 */

interface EngineExports {
  __wbindgen_malloc?: (size: number, align: number) => number;
  __wbindgen_free?: (ptr: number, size: number, align: number) => void;
}

type InstanceConstructor = new (...args: unknown[]) => { exports: unknown };
/** The part of the WebAssembly global used here (the project's `lib` has no DOM types). */
const wasm = (globalThis as unknown as { WebAssembly: { Instance: InstanceConstructor } }).WebAssembly;

let engine: EngineExports | undefined;

const Original = wasm.Instance;
wasm.Instance = new Proxy(Original, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget) as { exports: unknown };
    engine ??= instance.exports as EngineExports;
    wasm.Instance = Original;
    return instance;
  },
});

/** Called once the engine is loaded: whatever happened, `WebAssembly.Instance` is the original again. */
export function engineLoaded(): void {
  wasm.Instance = Original;
}

let reserved = 0;

/** Makes sure the engine can allocate `bytes` without growing its memory (no-op below what was reserved). */
export function reserveEngineMemory(bytes: number): void {
  const size = Math.min(Math.ceil(bytes), 1024 * 1024 * 1024);
  if (size <= reserved || !engine?.__wbindgen_malloc || !engine.__wbindgen_free) return;
  try {
    const ptr = engine.__wbindgen_malloc(size, 1) >>> 0;
    engine.__wbindgen_free(ptr, size, 1);
    reserved = size;
  } catch {
    // Out of memory for the reservation: the engine grows as it goes, as without it.
  }
}
