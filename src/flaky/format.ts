/** Words and numbers shared by the hints and the terminal table. */

/** `850 ms`, `2.4 s`, `3 min 5 s`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** `1 failure`, `3 failures`, `2 passes`. */
export function counted(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : plural(noun)}`;
}

function plural(noun: string): string {
  return noun.endsWith('s') ? `${noun}es` : `${noun}s`;
}

/** `2 of 5 failures`, `all 3 passes`, `both failures`, `the only pass`. */
export function share(count: number, total: number, noun: string): string {
  if (count === total && total === 1) return `the only ${noun}`;
  if (count === total && total === 2) return `both ${plural(noun)}`;
  if (count === total) return `all ${counted(total, noun)}`;
  return `${count} of ${counted(total, noun)}`;
}

/** `40%`. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
