import { JnError } from '../core/errors.ts';

/** Reads stdin to its end (a pipe or a file) and returns the first line, without its line ending. */
async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** One line typed on the terminal without echo (raw mode); Ctrl-C or Ctrl-D abandons. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      err ? reject(err) : resolve(typed);
    };
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004')
          return done(new JnError('usage', 'no password given: abandoned'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * A new password: on a terminal, typed twice without echo (they must match); otherwise (or with
 * --password-stdin) the first line of stdin. There is no default password anywhere.
 */
export async function readNewPassword(fromStdin: boolean, who: string): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const line = await firstLineOfStdin();
    if (line === '') throw new JnError('usage', `no password on stdin for "${who}" (one line is read)`);
    return line;
  }
  const first = await readHidden(`New password for ${who} (at least 12 characters): `);
  const second = await readHidden('Again: ');
  if (first !== second) throw new JnError('usage', 'the two passwords differ; nothing was changed');
  return first;
}
