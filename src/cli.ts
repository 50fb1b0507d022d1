#!/usr/bin/env node
import type {Command, CommandIo} from './cli/command';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {flakyCommand} from './flaky/command';
import {reportCommand} from './report/command';

/** `jest-otel <command>`: a dispatcher over subcommands, each in its own folder. */

export type {Command, CommandIo};

const COMMANDS: Command[] = [reportCommand, flakyCommand];

/** The package's version, from its package.json (one folder up from build/ and from src/). */
export function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {version: string}).version;
}

function help(): string {
  const width = Math.max(...COMMANDS.map(command => command.name.length));
  return [
    'Usage: jest-otel <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map(command => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'jest-otel <command> --help describes a command; jest-otel --version prints the version.',
    '',
  ].join('\n');
}

export function main(args: string[], io: CommandIo): number {
  const [name, ...rest] = args;
  if (name === '--version' || name === '-v') {
    io.stdout(`${version()}\n`);
    return 0;
  }
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
