// The attack catalogue's own "internet" host, run inside its network namespace (test/attacks/attack-host.ts):
// the far ends the attacks and their twins talk to. Every connection is bounded in time.
//   203.0.113.160  :80 HTTP, :4444 a listener that holds a reverse shell open, :3333 a "pool"
//   203.0.113.161  :443 an upload sink (reads everything, then closes)
//   203.0.113.162  :7000-7023 small services a crawler may visit
//   203.0.113.163  nothing listens: a scan gets resets
//   169.254.169.254 :80 a fake instance-metadata service
import net from 'node:net';
import { setTimeout } from 'node:timers';

const HOLD_MS = 5000;

function serve(host, port, onSocket) {
  net
    .createServer((socket) => {
      socket.on('error', () => {});
      socket.setTimeout(15_000, () => socket.destroy());
      onSocket(socket);
    })
    .listen(port, host);
}

const http = (socket) => {
  socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n'));
};

serve('203.0.113.160', 80, http);
serve('169.254.169.254', 80, (socket) => {
  socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\n\r\nshipwatch-test-role\n'));
});
// A reverse shell's far end: keeps the connection (and so the shell) alive for a while.
serve('203.0.113.160', 4444, (socket) => {
  socket.on('data', () => {});
  setTimeout(() => socket.end(), HOLD_MS);
});
serve('203.0.113.160', 3333, (socket) => {
  socket.once('data', () =>
    socket.write('{"id":1,"result":[["mining.notify","ae6812eb"],"08000002",4],"error":null}\n'),
  );
  setTimeout(() => socket.end(), 2000);
});
serve('203.0.113.161', 443, (socket) => {
  socket.on('data', () => {});
  socket.on('end', () => socket.end());
});
for (let port = 7000; port < 7024; port++) serve('203.0.113.162', port, (socket) => socket.end('hello\n'));

process.on('SIGTERM', () => process.exit(0));
setTimeout(() => process.exit(0), 10 * 60_000).unref();
process.stdout.write('listening\n');
