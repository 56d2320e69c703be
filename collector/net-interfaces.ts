// Which network interfaces exist on the host, from /sys/class/net (no process spawned, no library:
// one stat per question, asked at every inventory sync).
import { existsSync } from 'node:fs';

export function interfaceExists(name: string): boolean {
  return name !== '' && !name.includes('/') && existsSync(`/sys/class/net/${name}/ifindex`);
}
