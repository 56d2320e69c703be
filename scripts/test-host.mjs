// The test "internet" host, run inside the sw-inet network namespace by testenv.sh.
// TCP: accepts on a few ports, answers one line and closes. UDP: echoes. DNS (udp/53): answers
// A records for names under shipwatch.test from a fixed table, NXDOMAIN for everything else, so
// tests can use names without any outside resolver. Logs every contact as a JSON line.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

const TCP_PORTS = [80, 443, 4444, 8080, 9000];
const UDP_PORTS = [9999];
// UDP replies must leave from the address that was asked: a socket bound to 0.0.0.0 would answer
// from the link address, and the host's conntrack would drop the reply.
const ADDRESSES = ['203.0.113.10', '203.0.113.20'];
const DNS_ADDRESS = '203.0.113.53';
const NAMES = new Map([
  ['exfil.shipwatch.test', '203.0.113.10'],
  ['partner.shipwatch.test', '203.0.113.20'],
  ['api.partner.shipwatch.test', '203.0.113.20'],
]);

const log = (entry) => process.stdout.write(JSON.stringify({ at: new Date().toISOString(), ...entry }) + '\n');

for (const port of TCP_PORTS) {
  net
    .createServer((socket) => {
      log({ proto: 'tcp', port, from: socket.remoteAddress });
      socket.on('error', () => {});
      socket.end('shipwatch-test-host\n');
    })
    .listen(port, '0.0.0.0');
}

for (const address of ADDRESSES) {
  for (const port of UDP_PORTS) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      log({ proto: 'udp', port, from: rinfo.address });
      udp.send(msg, rinfo.port, rinfo.address);
    });
    udp.bind(port, address);
  }
}

const dns = dgram.createSocket('udp4');
dns.on('message', (msg, rinfo) => {
  let query;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const question = query.questions?.[0];
  if (!question) return;
  const name = question.name.toLowerCase();
  const address = NAMES.get(name);
  log({ proto: 'dns', name, type: question.type, from: rinfo.address });
  const answers = address && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: address }] : [];
  const reply = dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (address ? 0 : 3), // 3 = NXDOMAIN
    questions: query.questions,
    answers,
  });
  dns.send(reply, rinfo.port, rinfo.address);
});
dns.bind(53, DNS_ADDRESS, () => process.stdout.write('listening\n'));

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
