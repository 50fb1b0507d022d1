/*
 * What the example's services share: listen on a free port of 127.0.0.1, print the URL (the first line on stdout is
 * how the process that started a service learns where it is), and end with the process that started it: when its
 * end of stdin closes (it exited, or was killed without stopping us), stop as on SIGTERM, spans flushed.
 */
function listen(server) {
  server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
  // SIGTERM: tracing.js flushes the spans, then exits; a service without it ends at once.
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
}

/** Answers with a JSON body. */
function send(response, status, body, headers = {}) {
  response.writeHead(status, {'content-type': 'application/json', ...headers});
  response.end(JSON.stringify(body));
}

module.exports = {listen, send};
