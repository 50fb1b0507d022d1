/*
 * The contract between `jest-otel` (src/cli.ts) and its subcommands (flaky/command.ts, …): kept apart from the
 * dispatcher so that a subcommand does not import the module that imports it.
 */

/** What a subcommand gets to talk to the world: explicit, so that tests can call it directly. */
export interface CommandIo {
  cwd: string;
  color: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  help: string;
  /** Returns the exit code: 0 done, 2 bad usage. */
  run(args: string[], io: CommandIo): number;
}
