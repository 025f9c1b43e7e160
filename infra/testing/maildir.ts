import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Just enough MIME for tests to assert on what a mail server received or a file holds: headers,
 * and the first text/plain and text/html parts decoded (quoted-printable or base64, then the
 * charset). Not a general parser: no attachments, no nested encodings beyond multipart.
 */

export interface ParsedMail {
  /** The message as stored, for searching the raw form. */
  source: string;
  /** Lower-case names; folded lines joined and RFC 2047 words decoded; a repeated header keeps its first value. */
  headers: ReadonlyMap<string, string>;
  text: string | undefined;
  html: string | undefined;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Every mail in a Maildir's `new/` (where Python's mailbox.Maildir delivers), in delivery order. */
export async function readMaildir(dir: string): Promise<ParsedMail[]> {
  const names = await readdir(join(dir, 'new')).catch(() => []);
  // Python names each delivery `<seconds>.M<micros>P<pid>Q<count>.<host>`: Q counts up within one sink.
  const delivery = (name: string) => Number(/Q(\d+)/.exec(name)?.[1] ?? 0);
  const ordered = [...names].sort((a, b) => delivery(a) - delivery(b) || a.localeCompare(b));
  return Promise.all(ordered.map(async (name) => parseMail(await readFile(join(dir, 'new', name)))));
}

export function parseMail(raw: Buffer): ParsedMail {
  // latin1 keeps one character per byte, so encoded bodies decode to the exact bytes sent.
  const source = raw.toString('latin1');
  // The line break ending the file, like the one before each boundary, is framing, not text.
  const root = parsePart(source.replaceAll('\r\n', '\n').replace(/\n$/, ''));
  const leaves = flatten(root);
  const decodedOf = (type: string) => {
    const part = leaves.find((leaf) => mediaType(leaf) === type);
    return part && decodeBody(part);
  };
  const headers = new Map([...root.headers].map(([name, value]) => [name, decodeHeader(value)]));
  return { source, headers, text: decodedOf('text/plain'), html: decodedOf('text/html') };
}

function parsePart(text: string): Part {
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? '' : text.slice(end + 2) };
}

function flatten(part: Part): Part[] {
  const boundary = parameter(part.headers.get('content-type'), 'boundary');
  if (!mediaType(part).startsWith('multipart/') || !boundary) return [part];
  const children: string[][] = [];
  for (const line of part.body.split('\n')) {
    if (line.trimEnd() === `--${boundary}--`) break;
    if (line.trimEnd() === `--${boundary}`) children.push([]);
    else children.at(-1)?.push(line);
  }
  return children.flatMap((lines) => flatten(parsePart(lines.join('\n'))));
}

function mediaType(part: Part): string {
  return (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
}

function parameter(header: string | undefined, name: string): string | undefined {
  return header && new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header)?.[1];
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const { body } = part;
  const bytes = encoding === 'base64' ? Buffer.from(body, 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'latin1');
  return new TextDecoder(parameter(part.headers.get('content-type'), 'charset') ?? 'us-ascii').decode(bytes);
}

/** Trailing blanks on a line were added in transit; `=` at the end of a line is a soft break. */
function decodeQuotedPrintable(body: string): Buffer {
  return unescapeHex(body.replace(/[ \t]+$/gm, '').replace(/=\n/g, ''));
}

function unescapeHex(text: string): Buffer {
  return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?utf-8?B?...?=`), which is how non-ASCII subjects travel. */
function decodeHeader(value: string): string {
  // Raw 8-bit bytes (SMTPUTF8) are UTF-8; encoded words are pure ASCII, so this goes first.
  return Buffer.from(value, 'latin1')
    .toString('utf8')
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : unescapeHex(text.replaceAll('_', ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}
