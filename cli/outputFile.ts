import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { JnError } from '../core/errors.ts';

/**
 * Refuses an -o FILE that cannot be written before any work is done, in one line: its folder does
 * not exist or is no folder, or it names a folder (a raw ENOENT told the officer nothing).
 */
export function checkOutput(command: string, file: string): void {
  const folder = dirname(resolve(file));
  const refuse = (why: string) => {
    throw new JnError('usage', `jieneng ${command}: -o ${file}: ${why}`);
  };
  if (!existsSync(folder))
    refuse(`the folder ${folder} does not exist; create it, or give a file in a folder that exists`);
  if (!statSync(folder).isDirectory()) refuse(`${folder} is a file, not a folder`);
  if (existsSync(file) && statSync(file).isDirectory())
    refuse('is a folder; give the name of the file to write');
}

/** Why -o FILE was not written, in one line (permission, disk full…), for an error of writing it. */
export function notWritten(file: string, err: unknown): JnError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why: Record<string, string> = {
    ENOENT: '所在文件夹不存在',
    EACCES: '没有写入权限',
    EPERM: '没有写入权限',
    EROFS: '磁盘为只读',
    ENOSPC: '磁盘已满',
    EISDIR: '这是一个文件夹',
  };
  return new JnError('output', `-o ${file}：未写入：${why[code] ?? (err as Error).message}`, {
    cause: err,
  });
}
