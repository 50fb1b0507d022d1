/*
 * The bundle's side of its code cache (build/load-bundle.js, src/load-bundle.ts): the loader hands over how to write
 * the cache, and the environment calls it once, after the first test file of the process ran — by then V8 has
 * compiled what a test file needs, and the cache holds it. Written then rather than at exit, so that a worker's exit
 * stays as quick as Jest's grace for it expects.
 */

let pending: (() => void) | undefined;

/** For the loader: what to run after the first test file. */
export function writeCodeCacheAfterFirstFile(write: () => void): void {
  pending = write;
}

/** A test file's environment was torn down: the cache is written, once per process, where the loader asked for it. */
export function testFileDone(): void {
  const write = pending;
  pending = undefined;
  write?.();
}
