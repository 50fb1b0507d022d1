import {spawn, type ChildProcess} from 'node:child_process';
import {createConnection} from 'node:net';
import {unusedPort} from './ports';

/** A real redis-server on 127.0.0.1 with persistence off, started by a test and ended by its pid. */
export class RedisServer {
  private child: ChildProcess | undefined;
  port = 0;

  async start(): Promise<this> {
    this.port = await unusedPort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(this.port, this.child);
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise(resolve => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGTERM');
    await exited;
  }
}

/** Resolves once the port accepts connections; rejects if the process exits first. */
function waitForPort(port: number, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    child.once('exit', code => {
      if (!done) reject(new Error(`redis-server exited with code ${code} before listening`));
    });
    const attempt = () => {
      const socket = createConnection({port, host: '127.0.0.1'});
      socket.once('connect', () => {
        done = true;
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (!done) setImmediate(attempt);
      });
    };
    attempt();
  });
}
