// A small ext4 file system of a test's own (an image file on a loop device), to fail the way a
// disk does. `tmpfs` cannot: `mount -o remount,ro` refuses (EBUSY) while any file on it is open
// for writing, and the agent always holds its journal open. ext4 mounted `errors=remount-ro`
// turns read-only by itself on an error, open files or not — which is what production disks do —
// and trigger_fs_error raises such an error on purpose. The kernel never makes that file system
// writable again (`remount,rw` is refused); an operator unmounts it, checks it and mounts it
// again, and so does repair().
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class Ext4Image {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'sw-ext4-'));
  readonly image = path.join(this.dir, 'fs.img');
  readonly mountPoint = path.join(this.dir, 'mnt');
  /** Loop devices set up for the image, the current one last. */
  readonly #devices: string[] = [];
  #mounted = false;

  /** Makes the file system (no journal: nothing to replay at the second mount) and mounts it. */
  async create(sizeMb = 32): Promise<void> {
    await run('truncate', ['-s', `${sizeMb}M`, this.image]);
    await run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', this.image]);
    mkdirSync(this.mountPoint);
    await this.#mount();
  }

  /** The kernel's own reaction to a file system error: "Remounting filesystem read-only". */
  failReadOnly(): void {
    const device = path.basename(this.#devices.at(-1) ?? '');
    // Written back first: this file system has no journal, and metadata still dirty at the error
    // (the agent's lock file, created a second ago) would reach the image from the old loop device
    // after repair()'s e2fsck, leaving a directory entry to a freed inode that turns the new mount
    // read-only at its first lookup (seen: "deleted inode referenced").
    execFileSync('sync', ['-f', this.mountPoint]);
    writeFileSync(`/sys/fs/ext4/${device}/trigger_fs_error`, 'shipwatch test: state dir goes read-only');
  }

  /**
   * Unmount (lazily: the agent still holds files on it), e2fsck, mount again on a new loop device
   * (the old one stays bound to the old, read-only superblock until its last file is closed).
   */
  async repair(): Promise<void> {
    await run('umount', ['-l', this.mountPoint]);
    this.#mounted = false;
    // Exit 1: errors corrected (the error the test raised is recorded in the superblock).
    await run('e2fsck', ['-fy', this.image]).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error;
    });
    await this.#mount();
  }

  async destroy(): Promise<void> {
    if (this.#mounted) await run('umount', ['-l', this.mountPoint]).catch(() => undefined);
    // A busy loop device is detached once its last user is gone (the kernel's autoclear).
    for (const device of this.#devices) await run('losetup', ['-d', device]).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #mount(): Promise<void> {
    // losetup, not `mount -o loop`: mount would reuse the loop device still bound to the old superblock.
    const { stdout } = await run('losetup', ['-f', '--show', this.image]);
    const device = stdout.trim();
    this.#devices.push(device);
    await run('mount', ['-t', 'ext4', '-o', 'errors=remount-ro', device, this.mountPoint]);
    this.#mounted = true;
  }
}
