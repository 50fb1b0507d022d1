#!/usr/bin/env node
import type {Command, CommandIo} from './cli/command';
import {flakyCommand} from './flaky/command';

/** `jest-otel <command>`: a dispatcher over subcommands, each in its own folder. */

export type {Command, CommandIo};

const COMMANDS: Command[] = [flakyCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map(command => command.name.length));
  return [
    'Usage: jest-otel <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map(command => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'jest-otel <command> --help describes a command.',
    '',
  ].join('\n');
}

export function main(args: string[], io: CommandIo): number {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find(candidate => candidate.name === rest[0]);
    (name === undefined ? io.stderr : io.stdout)(command?.help ?? help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find(candidate => candidate.name === name);
  if (!command) {
    io.stderr(`jest-otel: unknown command ${name}\n\n${help()}`);
    return 2;
  }
  return command.run(rest, io);
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && !env.NO_COLOR;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    cwd: process.cwd(),
    color: useColor(process.env, Boolean(process.stdout.isTTY)),
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
  });
}
